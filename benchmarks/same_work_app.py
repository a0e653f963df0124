"""The submit benchmark's same-work baseline: our guarantees kept by hand, on our stack.

    gunicorn 'benchmarks.same_work_app:create_app("/tmp/same-work.db")'

benchmarks/baseline_app.py measures the least a survey app must do (a response and its
answers in one transaction). This one does, by hand, the work a personal link's submit
must do in ours (issue 33), so that the distance between it and ours is our code's
per-request cost, not our guarantees. Why each choice is fair:

- **The same steps, in one transaction** (``BEGIN IMMEDIATE``, as our writers take): the
  personal link looked up by the SHA-256 of its token; claimed once (``UPDATE … WHERE
  answered_at IS NULL``: a second post changes nothing and gets 409); the response with
  its answers (JSON, as ours keeps them); the moment's daily tally upserted (responses,
  positive, neutral, negative); on pain, a follow-up and a webhook outbox row; then a
  303 to the thank-you page. Ours also counts the invitation's answered step; that one
  upsert is its own and left out here, so the ratio leans against us, not for us.
- **CSRF checked as ours checks it**: a session cookie signed with HMAC-SHA256 whose
  token the form must repeat, compared in constant time.
- **A 3-field WTForms form** validated like ours (deciding answer required, the scale
  optional, the comment at most 2,000 characters).
- **Raw sqlite3, one connection per worker** (opened on its first request and kept),
  **WAL and synchronous=NORMAL**, our settings: the comparison measures code, not a
  journal mode.
- Served by the benchmark under **the same gunicorn settings** as ours, links answered
  once each, in the same mix of glory, so-so and pain (benchmarks/common.py ANSWERS).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
from datetime import UTC, datetime

from flask import Flask, redirect, request
from wtforms import TextAreaField

from benchmarks.baseline_app import AnswerForm as BaseAnswerForm
from benchmarks.baseline_app import worker_connection

SECRET = b"same-work baseline"
SCHEMA = """
CREATE TABLE IF NOT EXISTS invitations (
    id INTEGER PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, journey_id TEXT NOT NULL,
    moment_id TEXT NOT NULL, locale TEXT NOT NULL, created_at TEXT NOT NULL,
    answered_at TEXT);
CREATE TABLE IF NOT EXISTS responses (
    id INTEGER PRIMARY KEY, journey_id TEXT NOT NULL, moment_id TEXT NOT NULL,
    created_at TEXT NOT NULL, day TEXT NOT NULL, locale TEXT NOT NULL,
    channel TEXT NOT NULL, polarity TEXT NOT NULL, answers TEXT NOT NULL,
    invitation_id INTEGER REFERENCES invitations(id), comment TEXT);
CREATE TABLE IF NOT EXISTS daily_tallies (
    journey_id TEXT, moment_id TEXT, day TEXT, locale TEXT, channel TEXT,
    responses INTEGER NOT NULL, positive INTEGER NOT NULL, neutral INTEGER NOT NULL,
    negative INTEGER NOT NULL,
    PRIMARY KEY (journey_id, moment_id, day, locale, channel));
CREATE TABLE IF NOT EXISTS followups (
    response_id INTEGER PRIMARY KEY REFERENCES responses(id), journey_id TEXT NOT NULL,
    moment_id TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS webhook_outbox (
    id INTEGER PRIMARY KEY, event TEXT NOT NULL, created_at TEXT NOT NULL);
"""
TALLY = (
    "INSERT INTO daily_tallies VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?) "
    "ON CONFLICT (journey_id, moment_id, day, locale, channel) DO UPDATE SET "
    "responses = responses + 1, positive = positive + excluded.positive, "
    "neutral = neutral + excluded.neutral, negative = negative + excluded.negative"
)


class AnswerForm(BaseAnswerForm):
    """The minimal baseline's 3-field form, and the CSRF token the page gave."""

    csrf_token = TextAreaField()


def signed_cookie(token: str) -> str:
    """The session cookie's value that carries ``token`` (``token.signature``)."""
    signature = hmac.new(SECRET, token.encode(), hashlib.sha256).hexdigest()
    return f"{token}.{signature}"


def make_links(db_path: str, count: int) -> list[str]:
    """``count`` personal links to the café's meal (their tokens; only hashes kept)."""
    now = datetime.now(UTC).isoformat()
    tokens = [secrets.token_urlsafe(16) for _ in range(count)]
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.executescript(SCHEMA)
        conn.executemany(
            "INSERT INTO invitations (token_hash, journey_id, moment_id, locale, created_at)"
            " VALUES (?, 'cafe', 'meal', 'fr', ?)",
            [(hashlib.sha256(t.encode()).hexdigest(), now) for t in tokens],
        )
    return tokens


def create_app(db_path: str) -> Flask:
    db, _ = worker_connection(db_path, SCHEMA)  # as the minimal baseline's
    app = Flask(__name__)

    @app.post("/s/<token>")
    def submit(token: str):
        form = AnswerForm(request.form)
        token_in_cookie, _, signature = request.cookies.get("session", "").partition(".")
        expected = hmac.new(SECRET, token_in_cookie.encode(), hashlib.sha256).hexdigest()
        if not (
            hmac.compare_digest(signature, expected)
            and hmac.compare_digest(form.csrf_token.data or "", token_in_cookie)
        ):
            return "This page was open for too long.", 400
        if not form.validate():
            return "invalid", 422
        polarity = form.experience.data
        answers = {"experience": polarity}
        if form.satisfaction.data is not None:
            answers["satisfaction"] = form.satisfaction.data
        if form.why.data:
            answers["why"] = form.why.data
        now = datetime.now(UTC)
        when, day = now.isoformat(), now.date().isoformat()
        token_hash = hashlib.sha256(token.encode()).hexdigest()
        conn = db()
        conn.execute("BEGIN IMMEDIATE")
        try:
            link = conn.execute(
                "SELECT id, journey_id, moment_id, locale FROM invitations WHERE token_hash = ?",
                (token_hash,),
            ).fetchone()
            if link is None:
                conn.execute("ROLLBACK")
                return "no such link", 404
            invitation_id, journey_id, moment_id, locale = link
            claimed = conn.execute(
                "UPDATE invitations SET answered_at = ? WHERE id = ? AND answered_at IS NULL",
                (when, invitation_id),
            ).rowcount
            if not claimed:
                conn.execute("ROLLBACK")
                return "already answered", 409
            response_id = conn.execute(
                "INSERT INTO responses (journey_id, moment_id, created_at, day, locale, channel,"
                " polarity, answers, invitation_id, comment) VALUES (?, ?, ?, ?, ?, 'personal',"
                " ?, ?, ?, ?)",
                (
                    journey_id,
                    moment_id,
                    when,
                    day,
                    locale,
                    polarity,
                    json.dumps(answers, ensure_ascii=False),
                    invitation_id,
                    form.why.data or None,
                ),
            ).lastrowid
            counts = [int(polarity == p) for p in ("positive", "neutral", "negative")]
            conn.execute(TALLY, (journey_id, moment_id, day, locale, "personal", *counts))
            if polarity == "negative":
                conn.execute(
                    "INSERT INTO followups VALUES (?, ?, ?, 'open', ?)",
                    (response_id, journey_id, moment_id, when),
                )
                event = {"id": response_id, "journey": journey_id, "moment": moment_id}
                conn.execute(
                    "INSERT INTO webhook_outbox (event, created_at) VALUES (?, ?)",
                    (json.dumps(event), when),
                )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return redirect(f"/s/{token}/thanks", 303)

    return app
