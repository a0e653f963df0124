"""Public links: ``/j/<journey>/<moment>``, answered once a day per browser, and their
thank-you page."""

from __future__ import annotations

from flask import (
    redirect,
    request,
    url_for,
)

from surveyapp.domain.i18n import N_
from surveyapp.domain.vocabulary import PUBLIC_CHANNELS
from surveyapp.web import lookups
from surveyapp.web.locale import choose_locale
from surveyapp.web.survey import after, marks
from surveyapp.web.survey.base import (
    already_answered,
    bp,
    check_post,
    clean_page,
    load_survey,
    render_survey,
    store_answer,
    survey_form_for,
    switched_language,
    thanks_page,
)


@bp.route("/j/<journey_id>/<moment_id>", methods=["GET", "POST"])
def public_survey(journey_id: str, moment_id: str):
    """A moment's public survey (QR codes, walk-in customers): repeated answers allowed,
    but not twice a day from the same browser."""
    journey, survey = load_survey(journey_id, moment_id)
    locale = choose_locale(journey.locales, journey.default_locale)
    key = f"{journey.id}/{survey.moment_id}"
    if marks.answered_today(key):
        return already_answered(survey, locale, N_("You already answered this survey today"))
    source = lookups.get(request.args, "src")
    channel = source if source in PUBLIC_CHANNELS else "link"
    if request.method == "GET":
        return clean_page(survey, locale)
    switched = switched_language(survey, journey.locales)
    if switched is not None:
        return switched
    form = survey_form_for(survey, locale)
    notice = check_post(form, survey)
    if notice is None:
        thanks = url_for(".thanks", journey_id=journey.id, moment_id=survey.moment_id, lang=locale)
        store_answer(journey, survey, form, locale, channel, thanks)
        marks.remember_public_answer(key)
        return redirect(thanks, 303)
    return render_survey(survey, form, locale, notice)


@bp.route("/j/<journey_id>/<moment_id>/thanks")
def thanks(journey_id: str, moment_id: str):
    journey, survey = load_survey(journey_id, moment_id)
    locale = choose_locale(journey.locales, journey.default_locale)
    return thanks_page(survey, locale, after=after.offer(journey, survey, locale))
