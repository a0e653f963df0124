"""After the answer: the thank-you page's next step. A happy customer may share their
experience where others read reviews (the click is counted, then they go there); an
unhappy one may leave a way to be contacted, which joins the answer's follow-up.

Only the browser that just answered sees the offer: the answer is remembered in its
session for two hours, so a link passed around or guessed finds nothing to count."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, redirect, render_template, request, session, url_for

from surveyapp import storage
from surveyapp.domain import next_steps
from surveyapp.web.database import get_db
from surveyapp.web.locale import choose_locale
from surveyapp.web.survey import forms as survey_forms
from surveyapp.web.survey.base import bp, customer_meta, load_survey

FRESH = timedelta(hours=2)
TALLY_KEY = {"journey_id": "j", "moment_id": "m", "day": "d", "locale": "l", "channel": "c"}


def _answer_here(journey, survey) -> dict | None:
    """The answer this browser just gave to this moment, if it is recent."""
    after = session.get("after")
    if not after or (after.get("j"), after.get("m")) != (journey.id, survey.moment_id):
        return None
    if storage.utcnow() - storage.parse_iso(after["at"]) > FRESH:
        return None
    return after


def _tally(after: dict) -> dict:
    return {column: after[key] for column, key in TALLY_KEY.items()}


def offer(journey, survey, locale: str, form=None) -> dict | None:
    """What the thank-you page offers, for the answer this browser just gave."""
    after = _answer_here(journey, survey)
    if after is None:
        return None
    offered = next_steps.offers(journey.after_answer, after["p"], locale, journey.default_locale)
    if "review" in offered:
        return {
            "review_url": url_for(
                ".review", journey_id=journey.id, moment_id=survey.moment_id, lang=locale
            )
        }
    if "contact" in offered:
        return {
            "contact_url": url_for(
                ".contact", journey_id=journey.id, moment_id=survey.moment_id, lang=locale
            ),
            "left": bool(after.get("left")),
            "form": form or survey_forms.ContactForm(meta=customer_meta(locale)),
        }
    return None


@bp.route("/j/<journey_id>/<moment_id>/review")
def review(journey_id: str, moment_id: str):
    """Count a happy customer's click (once per answer), then send them to the review
    page the journey names. The address comes from the definition, never the request."""
    journey, survey = load_survey(journey_id, moment_id)
    locale = choose_locale(journey.locales, journey.default_locale)
    link = next_steps.offers(journey.after_answer, "positive", locale, journey.default_locale)
    if "review" not in link:
        abort(404)
    after = _answer_here(journey, survey)
    if after and after["p"] == "positive" and not after.get("clicked"):
        storage.count_in_tally(get_db(), _tally(after), "review_clicked")
        session["after"] = {**after, "clicked": True}
    return redirect(link["review"], 303)


@bp.route("/j/<journey_id>/<moment_id>/contact", methods=["POST"])
def contact(journey_id: str, moment_id: str):
    """An unhappy customer's way to be contacted, with their consent, kept on the
    follow-up of the answer they just gave."""
    journey, survey = load_survey(journey_id, moment_id)
    locale = choose_locale(journey.locales, journey.default_locale)
    after = _answer_here(journey, survey)
    offered = next_steps.offers(
        journey.after_answer, after["p"] if after else "", locale, journey.default_locale
    )
    if after is None or "contact" not in offered:
        return render_template(
            "thanks.html",
            survey=survey,
            locale=locale,
            moment_name=survey.moment_name(locale),
            message=None,
            expired=True,
        ), 409
    form = survey_forms.ContactForm(formdata=request.form, meta=customer_meta(locale))
    if not form.validate():
        return render_template(
            "thanks.html",
            survey=survey,
            locale=locale,
            moment_name=survey.moment_name(locale),
            after=offer(journey, survey, locale, form),
        ), 422
    if not after.get("left"):
        storage.leave_contact(get_db(), after["r"], form.contact.data, _tally(after))
        session["after"] = {**after, "left": True}
    # Back to the thank-you page the answer led to (kept by the server, not posted).
    return redirect(after["t"], 303)
