"""Read-only pages: the home page and each journey's per-moment scores.

Until the admin area exists, the scores pages are open only in demo mode or
to whoever gives the configured ``SCORES_PASSWORD`` (HTTP basic auth).
"""

from __future__ import annotations

import hmac
from datetime import date

from flask import Blueprint, abort, current_app, render_template, request

from surveyapp import i18n, scoring, storage
from surveyapp.surveys import KIND_LABELS
from surveyapp.web import choose_locale, error_page, get_db

bp = Blueprint("scores", __name__)


def _parse_day(value: str | None) -> tuple[date | None, bool]:
    """A YYYY-MM-DD filter value, and whether it was given but not a date."""
    if not value:
        return None, False
    try:
        return date.fromisoformat(value), False
    except ValueError:
        return None, True


@bp.route("/")
def index():
    """Home: in demo mode, every journey's public links and scores; otherwise a welcome."""
    locale = choose_locale(i18n.LOCALES, "en")
    journeys = []
    if current_app.config["DEMO"]:
        db = get_db()
        for row in storage.list_journeys(db):
            journeys.append(storage.get_journey(db, row["id"]))
    return render_template("index.html", journeys=journeys, locale=locale)


def _authorized() -> bool:
    if current_app.config["DEMO"]:
        return True
    password = current_app.config.get("SCORES_PASSWORD")
    if not password:
        abort(404)
    auth = request.authorization
    given = (auth.password or "") if auth and auth.type == "basic" else ""
    return hmac.compare_digest(given.encode(), str(password).encode())


@bp.route("/scores/<journey_id>")
def journey_scores(journey_id: str):
    """A journey's moments with their glory/pain tallies and figures."""
    locale = choose_locale(i18n.LOCALES, "en")
    if not _authorized():
        response = error_page(
            401, i18n.N_("Password needed"), i18n.N_("The scores pages need the scores password.")
        )
        return response[0], 401, {"WWW-Authenticate": 'Basic realm="scores", charset="UTF-8"'}
    db = get_db()
    journey = storage.get_journey(db, journey_id)
    if journey is None:
        abort(404)
    since, bad_since = _parse_day(request.args.get("since"))
    until, bad_until = _parse_day(request.args.get("until"))
    date_error = None
    if bad_since or bad_until:
        date_error = i18n.translate(
            locale,
            i18n.N_("Dates are written YYYY-MM-DD; the filter that was not a date is ignored."),
        )
    tallies = storage.moment_tallies(db, journey.id, since=since, until=until)
    scores = scoring.journey_scores(
        journey, storage.retired_moments(db, journey.id), tallies, name_locale=locale
    )
    return render_template(
        "scores.html",
        journey=journey,
        scores=scores,
        locale=locale,
        since=since,
        until=until,
        date_error=date_error,
        kind_labels={k: i18n.translate(locale, v) for k, v in KIND_LABELS.items()},
    )
