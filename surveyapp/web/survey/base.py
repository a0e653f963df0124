"""What every customer page shares: the blueprint, loading a survey, its form, storing
an answer, the cached clean page and the thank-you pages."""

from __future__ import annotations

import secrets
import threading

from cachetools import LRUCache, cached
from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    render_template,
    request,
)

from surveyapp import storage
from surveyapp.domain import i18n, next_steps, scoring
from surveyapp.domain.i18n import N_
from surveyapp.domain.surveys import Survey, survey_for
from surveyapp.web import forms, lookups
from surveyapp.web.csrf import csrf_token, visitor_csrf
from surveyapp.web.database import get_db
from surveyapp.web.locale import url_with_lang
from surveyapp.web.survey import forms as survey_forms
from surveyapp.web.survey import marks
from surveyapp.web.survey.forms import SWITCH_FIELD

bp = Blueprint("survey", __name__, template_folder="templates")
#: The survey form's id: the language switcher's buttons submit it from the page header.
SURVEY_FORM_ID = "survey"


def load_survey(journey_id: str, moment_id: str):
    """The journey and the survey of one of its moments, or a 404 page."""
    journey = storage.journeys.get_journey(get_db(), journey_id)
    moment = journey.moment(moment_id) if journey else None
    if moment is None:
        abort(404)
    return journey, survey_for(journey, moment)


def customer_meta(locale: str) -> dict:
    """WTForms meta of customer forms: CSRF bound to the visitor's own cookie."""
    return forms.form_meta(
        secret_key=current_app.config["SECRET_KEY"],
        csrf_context=visitor_csrf(),
        locale=locale,
        time_limit_hours=current_app.config["FORM_TIME_LIMIT_HOURS"],
    )


def survey_form_for(survey: Survey, locale: str, preset: dict | None = None):
    """The survey's form in ``locale``, filled from the request's post (if any)."""
    meta = customer_meta(locale)
    formdata = request.form if request.method == "POST" else None
    return survey_forms.survey_form(survey, locale, formdata, meta, data=preset)


def check_post(form, survey: Survey):
    """None when the post is valid, else the notice (a message id) to show."""
    if survey_forms.unexpected_fields(request.form, survey):
        return N_(
            "The form contained answers this survey does not ask. "
            "Nothing was saved; please answer again below."
        )
    if form.validate():
        return None
    if form.csrf_token.errors:
        return N_(
            "This page was open for too long, or your browser refused our "
            "cookie. Nothing was saved yet: please send your answers again."
        )
    return N_("Some answers need your attention. Nothing was saved yet.")


def render_survey(survey: Survey, form, locale: str, notice: str | None, **extra):
    """The survey page, with the notice (a message id) that explains a refusal."""
    extra.setdefault("action", request.full_path if request.query_string else request.path)
    return render_template(
        "survey.html",
        survey=survey,
        form=form,
        locale=locale,
        notice=i18n.translate(locale, notice) if notice else None,
        moment_name=survey.moment_name(locale),
        language_form=None if extra.get("preview") else SURVEY_FORM_ID,
        **extra,
    ), (422 if request.method == "POST" else 200)


def switched_language(survey: Survey, offered) -> str | None:
    """The page again in the language a switcher button asked for, with what was typed
    (nothing validated, nothing stored); None when the post is an answer."""
    code = lookups.get(request.form, SWITCH_FIELD) if request.method == "POST" else None
    if code not in offered:
        return None
    g.locale = code
    form = survey_form_for(survey, code)
    page, _ = render_survey(survey, form, code, None, action=url_with_lang(code))
    return page


def scored(journey, survey: Survey, answers, polarity: str, locale: str) -> tuple[dict, dict]:
    """What an answer adds to its tallies, what its thank-you page offered counted in,
    and that offer (domain/next_steps)."""
    offered = next_steps.offers(journey.after_answer, polarity, locale, journey.default_locale)
    increments = scoring.tally_increments(survey, answers, polarity)
    increments.update(next_steps.offer_counts(offered))
    return increments, offered


def store_answer(
    journey, survey: Survey, form, locale: str, channel: str, thanks: str, invitation=None
) -> None:
    """Store a valid form's answer, scored, in the request's database; count what its
    thank-you page (at ``thanks``) offers, and remember the answer for that offer."""
    answers = survey_forms.answers_of(form, survey)
    polarity = scoring.polarity_of(survey, answers)
    increments, offered = scored(journey, survey, answers, polarity, locale)
    now = storage.utcnow()
    response_id = storage.responses.record_response(
        get_db(),
        journey_id=journey.id,
        moment_id=survey.moment_id,
        locale=locale,
        channel=channel,
        polarity=polarity,
        answers=answers,
        increments=increments,
        created_at=now,
        invitation_id=invitation["id"] if invitation else None,
        customer_ref=invitation["customer_ref"] if invitation else None,
        comment=survey_forms.comment_of(answers, survey),
    )
    if offered:  # the cookie is sent only when there is something to offer
        tally = {
            "journey_id": journey.id,
            "moment_id": survey.moment_id,
            "day": storage.day_of(now),
            "locale": locale,
            "channel": channel,
        }
        marks.remember(response_id, polarity, tally, thanks)


def thanks_page(survey: Survey, locale: str, status: int = 200, **extra):
    """The thank-you page (with ``extra``: its offer, a title and message, an expired
    offer), in ``locale``."""
    return render_template(
        "thanks.html",
        survey=survey,
        locale=locale,
        moment_name=survey.moment_name(locale),
        **extra,
    ), status


# A clean survey page (a GET, nothing preselected) is the same for every visitor but for
# its CSRF token: it is rendered once per survey, language and address, and each visitor
# gets it with their own token. Surveys are cached by definition digest, so a reloaded
# journey gets new entries and never serves a stale page.
_CSRF_SLOT = f"csrf-slot-{secrets.token_hex(16)}"  # unguessable: no journey text can hold it


def clean_page(survey: Survey, locale: str) -> str:
    """A clean survey page (nothing chosen yet) with this visitor's own CSRF token."""
    return _clean_page(survey, locale).replace(_CSRF_SLOT, csrf_token(customer_meta(locale)))


@cached(
    LRUCache(maxsize=2048),
    key=lambda survey, locale: (survey, locale, request.full_path),
    lock=threading.Lock(),  # cachetools' caches are not thread-safe by themselves
)
def _clean_page(survey: Survey, locale: str) -> str:
    form = survey_form_for(survey, locale)
    return render_survey(survey, form, locale, None, csrf_value=_CSRF_SLOT)[0]


def already_answered(survey: Survey, locale: str, title: str = N_("You already answered")):
    """The thank-you page that says the survey was answered already."""
    return thanks_page(
        survey,
        locale,
        title=i18n.translate(locale, title),
        message=i18n.translate(locale, N_("Your answer was recorded. Thank you!")),
    )
