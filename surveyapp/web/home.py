"""The home page (in demo mode, every journey's public links; otherwise a short welcome),
the health check a load balancer asks, and the readiness that counts the workers too."""

from __future__ import annotations

import os

from flask import Blueprint, current_app, redirect, render_template, url_for

from surveyapp import storage
from surveyapp.domain.vocabulary import LOCALES, SOURCE_LOCALE
from surveyapp.web.database import get_db
from surveyapp.web.locale import choose_locale
from surveyapp.workers import rounds

bp = Blueprint("home", __name__)


@bp.route("/")
def index():
    locale = choose_locale(LOCALES, SOURCE_LOCALE)
    journeys = []
    if current_app.config["DEMO"]:
        journeys = storage.journeys.all_journeys(get_db())
    return render_template("index.html", journeys=journeys, locale=locale)


@bp.get("/healthz")
def health():
    """200 when this node can reach its database, 503 when not: a load balancer sends
    customers only to nodes that can store their answers."""
    try:
        storage.ping(get_db())
    except storage.DATABASE_DOWN:
        return "database unavailable\n", 503, {"Content-Type": "text/plain; charset=utf-8"}
    return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/readyz")
def readiness():
    """/healthz, and every background worker this node's ``surveyapp serve`` supervises
    beating (workers/rounds.py): 503 naming the late ones. For monitoring, or for a load
    balancer that should take a node out when its webhooks or emails stop."""
    plain = {"Content-Type": "text/plain; charset=utf-8"}
    expected = [n for n in os.environ.get(rounds.WORKERS_VARIABLE, "").split(",") if n]
    try:
        db = get_db()
        storage.ping(db)
        beats = {
            b["name"]: b for b in storage.heartbeats.beats(db) if b["node"] == rounds.node_name()
        }
    except storage.DATABASE_DOWN:
        return "database unavailable\n", 503, plain
    now, stale = storage.utcnow(), current_app.config["WORKER_STALE_SECONDS"]
    late = [
        name
        for name in expected
        if name not in beats or storage.heartbeats.is_late(beats[name], now, stale)
    ]
    if late:
        return f"late background workers: {', '.join(late)}\n", 503, plain
    return "ok\n", 200, plain


@bp.route("/scores/<journey_id>")
def scores(journey_id: str):
    """The Core issue's read-only scores page now lives in the admin dashboard."""
    return redirect(url_for("admin.dashboard_page", journey_id=journey_id), 301)
