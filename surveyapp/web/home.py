"""The home page (in demo mode, every journey's public links; otherwise a short welcome),
and the health check a load balancer asks."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for

from surveyapp import storage
from surveyapp.domain.vocabulary import LOCALES, SOURCE_LOCALE
from surveyapp.web.database import get_db
from surveyapp.web.locale import choose_locale

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


@bp.route("/scores/<journey_id>")
def scores(journey_id: str):
    """The Core issue's read-only scores page now lives in the admin dashboard."""
    return redirect(url_for("admin.dashboard_page", journey_id=journey_id), 301)
