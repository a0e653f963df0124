"""The customer's pages: a moment's survey, and the thank-you page after it."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from surveyapp import forms, i18n, scoring, storage
from surveyapp.i18n import N_
from surveyapp.surveys import survey_for
from surveyapp.web import choose_locale, get_db

bp = Blueprint("survey", __name__)

#: How a response arrived, stored with it and used as the dashboard's channel filter.
PUBLIC_CHANNELS = ("link", "qr")


def _load_survey(journey_id: str, moment_id: str):
    journey = storage.get_journey(get_db(), journey_id)
    moment = journey.moment(moment_id) if journey else None
    if moment is None:
        abort(404)
    return journey, survey_for(journey, moment)


@bp.route("/j/<journey_id>/<moment_id>", methods=["GET", "POST"])
def public_survey(journey_id: str, moment_id: str):
    """A moment's public survey (for QR codes and walk-in customers)."""
    journey, survey = _load_survey(journey_id, moment_id)
    locale = choose_locale(journey.locales, journey.default_locale)
    channel = request.args.get("src") if request.args.get("src") in PUBLIC_CHANNELS else "link"
    meta = forms.form_meta(
        secret_key=current_app.config["SECRET_KEY"],
        session=session,
        locale=locale,
        time_limit_hours=current_app.config["FORM_TIME_LIMIT_HOURS"],
    )
    formdata = request.form if request.method == "POST" else None
    form = forms.survey_form(survey, locale, formdata, meta)
    notice = None
    if request.method == "POST":
        unexpected = forms.unexpected_fields(request.form, survey)
        if unexpected:
            notice = N_(
                "The form contained answers this survey does not ask. "
                "Nothing was saved; please answer again below."
            )
        elif form.validate():
            answers = forms.answers_of(form, survey)
            polarity = scoring.polarity_of(survey, answers)
            storage.record_response(
                get_db(),
                journey_id=journey.id,
                moment_id=survey.moment_id,
                locale=locale,
                channel=channel,
                polarity=polarity,
                answers=answers,
                increments=scoring.tally_increments(survey, answers, polarity),
            )
            return redirect(
                url_for(".thanks", journey_id=journey.id, moment_id=survey.moment_id, lang=locale),
                303,
            )
        elif form.csrf_token.errors:
            notice = N_(
                "This page was open for too long, or your browser refused our "
                "cookie. Nothing was saved yet: please send your answers again."
            )
        else:
            notice = N_("Some answers need your attention. Nothing was saved yet.")
    status = 422 if request.method == "POST" else 200
    return render_template(
        "survey.html",
        survey=survey,
        form=form,
        locale=locale,
        notice=i18n.translate(locale, notice) if notice else None,
        moment_name=survey.moment_name(locale),
        action=request.full_path if request.query_string else request.path,
    ), status


@bp.route("/j/<journey_id>/<moment_id>/thanks")
def thanks(journey_id: str, moment_id: str):
    journey, survey = _load_survey(journey_id, moment_id)
    locale = choose_locale(journey.locales, journey.default_locale)
    return render_template(
        "thanks.html", survey=survey, locale=locale, moment_name=survey.moment_name(locale)
    )
