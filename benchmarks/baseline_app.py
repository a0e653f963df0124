"""The submit benchmark's baseline: the least a correct survey app on our stack must do.

    gunicorn 'benchmarks.baseline_app:create_app("/tmp/baseline.db")'

Why each choice is fair (issue 18):

- **One SQLite connection per worker**, opened on the worker's first request and kept.
  Opening and closing one per request, as this baseline first did, makes every request
  pay for the connection and, when the last one closes, for a WAL checkpoint: a cost our
  own app stopped paying, which flattered the ratio.
- **WAL and synchronous=NORMAL**, the real app's settings: the comparison measures code,
  not a journal mode.
- **One transaction per submit** (``BEGIN IMMEDIATE``, as the real app's writers take)
  inserting a response and its three answers: the data a survey answer is, stored
  atomically, and nothing else (no tallies, no single-use link, no CSRF, no headers).
- **A 3-field WTForms form** validated like ours, and **the same 303 redirect**.
- Served by the benchmark under **the same gunicorn settings** as the real app.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime

from flask import Flask, redirect, request
from wtforms import Form, RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional


class AnswerForm(Form):
    experience = RadioField(
        choices=["positive", "neutral", "negative"], validators=[InputRequired()]
    )
    satisfaction = RadioField(
        choices=[(n, str(n)) for n in range(1, 6)], coerce=int, validators=[Optional()]
    )
    why = TextAreaField(validators=[Optional(), Length(max=2000)])


def worker_connection(db_path: str, schema: str):
    """Make the schema (WAL), and the function that gives each worker process its own
    connection, opened on its first request and kept (synchronous=NORMAL), with the dict
    that holds them."""
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.executescript(schema)
    connection: dict[int, sqlite3.Connection] = {}  # one per worker process

    def db() -> sqlite3.Connection:
        pid = os.getpid()  # a connection never crosses gunicorn's fork
        if pid not in connection:
            conn = sqlite3.connect(db_path, timeout=5, isolation_level=None)
            conn.execute("PRAGMA synchronous = NORMAL")
            connection[pid] = conn
        return connection[pid]

    return db, connection


def create_app(db_path: str) -> Flask:
    db, connection = worker_connection(
        db_path,
        "CREATE TABLE IF NOT EXISTS responses (id INTEGER PRIMARY KEY, created_at TEXT);"
        "CREATE TABLE IF NOT EXISTS answers (response_id INTEGER REFERENCES responses(id),"
        " key TEXT, value TEXT);",
    )
    app = Flask(__name__)
    app.extensions["baseline.connections"] = connection  # benchmarks/submit_writes.py

    @app.post("/submit")
    def submit():
        form = AnswerForm(request.form)
        if not form.validate():
            return "invalid", 422
        conn = db()
        conn.execute("BEGIN IMMEDIATE")
        try:
            response_id = conn.execute(
                "INSERT INTO responses (created_at) VALUES (?)",
                (datetime.now(UTC).isoformat(),),
            ).lastrowid
            conn.executemany(
                "INSERT INTO answers (response_id, key, value) VALUES (?, ?, ?)",
                [
                    (response_id, "experience", form.experience.data),
                    (response_id, "satisfaction", form.satisfaction.data),
                    (response_id, "why", form.why.data),
                ],
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return redirect("/thanks", 303)

    @app.get("/hello")
    def hello():
        return "Hello"

    return app
