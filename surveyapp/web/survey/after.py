"""After the answer: the thank-you page's next step. A happy customer may share their
experience where others read reviews (the click is counted, then they go there); an
unhappy one may leave a way to be contacted, which joins the answer's follow-up.

Only the browser that just answered sees the offer: the answer is remembered in a signed
cookie for two hours (:mod:`.marks`), so a link passed around or guessed finds nothing
to count."""

from __future__ import annotations

from flask import abort, redirect, request, url_for

from surveyapp import storage
from surveyapp.domain import next_steps
from surveyapp.domain.vocabulary import Polarity
from surveyapp.web.database import get_db
from surveyapp.web.locale import choose_locale
from surveyapp.web.survey import forms as survey_forms
from surveyapp.web.survey import marks
from surveyapp.web.survey.base import bp, customer_meta, load_survey, thanks_page


def offer(journey, survey, locale: str, form=None) -> dict | None:
    """What the thank-you page offers, for the answer this browser just gave."""
    mark = marks.read(journey.id, survey.moment_id)
    if mark is None:
        return None
    offered = next_steps.offers(journey.after_answer, mark["p"], locale, journey.default_locale)
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
            "left": bool(mark.get("left")),
            "form": form or survey_forms.ContactForm(meta=customer_meta(locale)),
        }
    return None


@bp.route("/j/<journey_id>/<moment_id>/review")
def review(journey_id: str, moment_id: str):
    """Count a happy customer's click (once per answer), then send them to the review
    page the journey names. The address comes from the definition, never the request."""
    journey, survey = load_survey(journey_id, moment_id)
    locale = choose_locale(journey.locales, journey.default_locale)
    link = next_steps.offers(
        journey.after_answer, Polarity.POSITIVE, locale, journey.default_locale
    )
    if "review" not in link:
        abort(404)
    mark = marks.read(journey.id, survey.moment_id)
    if mark and mark["p"] == Polarity.POSITIVE and not mark.get("clicked"):
        storage.tallies.count_in_tally(get_db(), mark["tally"], "review_clicked")
        marks.remember(mark["r"], mark["p"], mark["tally"], mark["t"], clicked=True)
    return redirect(link["review"], 303)


@bp.route("/j/<journey_id>/<moment_id>/contact", methods=["POST"])
def contact(journey_id: str, moment_id: str):
    """An unhappy customer's way to be contacted, with their consent, kept on the
    follow-up of the answer they just gave."""
    journey, survey = load_survey(journey_id, moment_id)
    locale = choose_locale(journey.locales, journey.default_locale)
    mark = marks.read(journey.id, survey.moment_id)
    offered = next_steps.offers(
        journey.after_answer, mark["p"] if mark else "", locale, journey.default_locale
    )
    if mark is None or "contact" not in offered:
        return thanks_page(survey, locale, 409, expired=True)
    form = survey_forms.ContactForm(formdata=request.form, meta=customer_meta(locale))
    if not form.validate():
        return thanks_page(survey, locale, 422, after=offer(journey, survey, locale, form))
    if not mark.get("left"):
        storage.followups.leave_contact(get_db(), mark["r"], form.contact.data, mark["tally"])
        marks.remember(mark["r"], mark["p"], mark["tally"], mark["t"], left=True)
    # Back to the thank-you page the answer led to (kept by the server, not posted).
    return redirect(mark["t"], 303)
