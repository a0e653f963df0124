"""The submit benchmark's baseline: plain Flask, a 3-field WTForms form, one SQLite insert
per POST, and no more. It uses the same SQLite settings as the real app (WAL,
synchronous=NORMAL), so the comparison measures our own code, not a journal mode.

    gunicorn 'benchmarks.baseline_app:create_app("/tmp/baseline.db")'
"""

from __future__ import annotations

import sqlite3

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


def create_app(db_path: str) -> Flask:
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS answers (id INTEGER PRIMARY KEY, "
            "experience TEXT, satisfaction INTEGER, why TEXT)"
        )
    app = Flask(__name__)

    @app.post("/submit")
    def submit():
        form = AnswerForm(request.form)
        if not form.validate():
            return "invalid", 422
        conn = sqlite3.connect(db_path, timeout=5)
        conn.execute("PRAGMA synchronous = NORMAL")
        with conn:
            conn.execute(
                "INSERT INTO answers (experience, satisfaction, why) VALUES (?, ?, ?)",
                (form.experience.data, form.satisfaction.data, form.why.data),
            )
        conn.close()
        return redirect("/thanks", 303)

    @app.get("/hello")
    def hello():
        return "Hello"

    return app
