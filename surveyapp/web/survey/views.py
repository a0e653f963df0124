"""The customer's pages: a moment's survey by public link or personal invitation,
the thank-you page, and unsubscribing from surveys."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

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

from surveyapp import storage
from surveyapp.domain import i18n, scoring
from surveyapp.domain.i18n import N_
from surveyapp.domain.surveys import Survey, survey_for
from surveyapp.domain.vocabulary import LOCALES, PUBLIC_CHANNELS, SOURCE_LOCALE
from surveyapp.jobs import invitations
from surveyapp.web import forms
from surveyapp.web.csrf import visitor_csrf
from surveyapp.web.database import get_db
from surveyapp.web.errors import error_page
from surveyapp.web.locale import choose_locale
from surveyapp.web.survey import forms as survey_forms

bp = Blueprint("survey", __name__, template_folder="templates")

TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
ONCE_A_DAY = timedelta(days=1)
#: Unknown personal links one client may open before it must wait: a customer mistypes a
#: link a few times, a guesser millions.
GUESSES_ALLOWED = 20
GUESS_MEMORY = timedelta(minutes=10)


def _load_survey(journey_id: str, moment_id: str):
    journey = storage.get_journey(get_db(), journey_id)
    moment = journey.moment(moment_id) if journey else None
    if moment is None:
        abort(404)
    return journey, survey_for(journey, moment)


def _meta(locale: str) -> dict:
    return forms.form_meta(
        secret_key=current_app.config["SECRET_KEY"],
        csrf_context=visitor_csrf(),
        locale=locale,
        time_limit_hours=current_app.config["FORM_TIME_LIMIT_HOURS"],
    )


def _form(survey: Survey, locale: str, preset: dict | None = None):
    meta = _meta(locale)
    formdata = request.form if request.method == "POST" else None
    return survey_forms.survey_form(survey, locale, formdata, meta, data=preset)


def _check_post(form, survey: Survey):
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


def _render_survey(survey: Survey, form, locale: str, notice: str | None, **extra):
    return render_template(
        "survey.html",
        survey=survey,
        form=form,
        locale=locale,
        notice=i18n.translate(locale, notice) if notice else None,
        moment_name=survey.moment_name(locale),
        action=request.full_path if request.query_string else request.path,
        **extra,
    ), (422 if request.method == "POST" else 200)


def _store(journey, survey: Survey, form, locale: str, channel: str, invitation=None) -> None:
    answers = survey_forms.answers_of(form, survey)
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
        invitation_id=invitation["id"] if invitation else None,
        customer_ref=invitation["customer_ref"] if invitation else None,
        comment=survey_forms.comment_of(answers, survey),
    )


# A clean survey page (a GET, nothing preselected) is the same for every visitor but for
# its CSRF token: it is rendered once per survey, language and address, and each visitor
# gets it with their own token. Surveys are cached by definition digest, so a reloaded
# journey gets new entries and never serves a stale page.
_CSRF_SLOT = f"csrf-slot-{secrets.token_hex(16)}"  # unguessable: no journey text can hold it
_clean_pages: dict[tuple, str] = {}


def _clean_page(survey: Survey, locale: str) -> str:
    key = (survey, locale, request.full_path)
    page = _clean_pages.get(key)
    if page is None:
        if len(_clean_pages) > 2048:
            _clean_pages.clear()
        page = _clean_pages[key] = _render_survey(
            survey, _form(survey, locale), locale, None, csrf_value=_CSRF_SLOT
        )[0]
    return page.replace(_CSRF_SLOT, forms.csrf_token(_meta(locale)))


# --- public links ------------------------------------------------------------------------


def _answered_today(key: str) -> bool:
    stamp = session.get("answered", {}).get(key)
    if not stamp:
        return False
    when = storage.parse_iso(stamp)
    return storage.utcnow() - when < ONCE_A_DAY


def _remember_answer(key: str) -> None:
    now = storage.utcnow()
    answered = {
        k: v
        for k, v in session.get("answered", {}).items()
        if now - storage.parse_iso(v) < ONCE_A_DAY
    }
    answered[key] = storage.iso(now)
    session["answered"] = answered
    session.permanent = True


@bp.route("/j/<journey_id>/<moment_id>", methods=["GET", "POST"])
def public_survey(journey_id: str, moment_id: str):
    """A moment's public survey (QR codes, walk-in customers): repeated answers allowed,
    but not twice a day from the same browser."""
    journey, survey = _load_survey(journey_id, moment_id)
    locale = choose_locale(journey.locales, journey.default_locale)
    key = f"{journey.id}/{survey.moment_id}"
    if _answered_today(key):
        return _already_answered(survey, locale, N_("You already answered this survey today"))
    channel = request.args.get("src") if request.args.get("src") in PUBLIC_CHANNELS else "link"
    if request.method == "GET":
        return _clean_page(survey, locale)
    form = _form(survey, locale)
    notice = None
    if request.method == "POST":
        notice = _check_post(form, survey)
        if notice is None:
            _store(journey, survey, form, locale, channel)
            _remember_answer(key)
            return redirect(
                url_for(".thanks", journey_id=journey.id, moment_id=survey.moment_id, lang=locale),
                303,
            )
    return _render_survey(survey, form, locale, notice)


@bp.route("/j/<journey_id>/<moment_id>/thanks")
def thanks(journey_id: str, moment_id: str):
    journey, survey = _load_survey(journey_id, moment_id)
    locale = choose_locale(journey.locales, journey.default_locale)
    return render_template(
        "thanks.html", survey=survey, locale=locale, moment_name=survey.moment_name(locale)
    )


def _already_answered(survey: Survey, locale: str, title: str = N_("You already answered")):
    return render_template(
        "thanks.html",
        survey=survey,
        locale=locale,
        moment_name=survey.moment_name(locale),
        title=i18n.translate(locale, title),
        message=i18n.translate(locale, N_("Your answer was recorded. Thank you!")),
    )


# --- personal invitation links -----------------------------------------------------------


def _guessing(client: str) -> bool:
    """Has this client tried too many unknown links lately? (Checked before any lookup.)"""
    now = storage.utcnow()
    return any(
        failures >= GUESSES_ALLOWED and now - storage.parse_iso(last) < GUESS_MEMORY
        for failures, last in storage.recent_failures(get_db(), [f"token:{client}"])
    )


def _invitation(token: str):
    """The invitation, its journey and survey, and the page's locale; or an error page.

    Unknown links are counted per client; past the limit the client must wait. Only
    misses are counted and checked: a real token (128 random bits) is never guessed.
    """
    db = get_db()
    found = storage.get_invitation_and_journey(db, token) if TOKEN.fullmatch(token) else None
    invitation, journey = found or (None, None)
    moment = journey.moment(invitation["moment_id"]) if journey else None
    if moment is None:
        client = request.remote_addr or "unknown"
        choose_locale(LOCALES, SOURCE_LOCALE)
        if _guessing(client):
            current_app.logger.warning(
                "survey link refused: too many unknown links from %s", client
            )
            page, _ = error_page(
                429,
                N_("Too many wrong links"),
                N_("Please wait a few minutes, then open the link from your email again."),
            )
            return None, None, None, None, (page, 429, {"Retry-After": "600"})
        current_app.logger.info("unknown survey link from %s", client)
        now = storage.utcnow()
        storage.add_failure(db, [f"token:{client}"], now, now - GUESS_MEMORY)
        return (
            None,
            None,
            None,
            None,
            error_page(
                404,
                N_("This link is not valid"),
                N_(
                    "Please check that you opened the whole link from your email. "
                    "Nothing was saved."
                ),
            ),
        )
    survey = survey_for(journey, moment)
    # The invitation's language comes before the browser's: the company knows it.
    locale = choose_locale(journey.locales, invitation["locale"], use_browser=False)
    return invitation, journey, survey, locale, None


def _expired(invitation) -> bool:
    return storage.parse_iso(invitation["expires_at"]) <= storage.utcnow()


def _completable(invitation) -> bool:
    """This browser recorded the one-click answer and may still finish the survey."""
    return invitation["id"] in session.get("completable", [])


@bp.route("/s/<token>", methods=["GET", "POST"])
def invited_survey(token: str):
    """A personal, single-use link. A ``?a=`` answer (from the email) is only preselected:
    a GET never records anything, because mail scanners open every link."""
    invitation, journey, survey, locale, failure = _invitation(token)
    if failure:
        return failure
    answered = invitation["answered_at"] is not None
    if answered and not _completable(invitation):
        return _already_answered(survey, locale)
    if _expired(invitation) and not answered:
        return error_page(
            410, N_("This link has expired"), N_("This survey is closed. Thank you for your time.")
        )
    preset = _preset(survey, request.args.get("a")) if request.method == "GET" else None
    form = _form(survey, locale, preset)
    notice = None
    if request.method == "POST":
        notice = _check_post(form, survey)
        if notice is None:
            try:
                if answered:
                    _complete(invitation, survey, form)
                else:
                    _store(journey, survey, form, locale, _channel(invitation), invitation)
            except storage.AlreadyAnswered:
                return _already_answered(survey, locale)
            if "completable" in session:  # popping an absent key would re-sign the cookie
                session.pop("completable")
            return redirect(url_for(".invited_thanks", token=token, lang=locale), 303)
    first_answer_url = url_for(".first_answer", token=token) if preset and not answered else None
    return _render_survey(survey, form, locale, notice, first_answer_url=first_answer_url)


@bp.route("/s/<token>/first", methods=["POST"])
def first_answer(token: str):
    """With JavaScript, the email's one-click answer is recorded as soon as a person
    interacts with the page; the rest of the survey can still be finished."""
    invitation, journey, survey, locale, failure = _invitation(token)
    if failure:
        return "", 404
    if invitation["answered_at"] is not None or _expired(invitation):
        return "", 409
    form = _form(survey, locale)
    if _check_post(form, survey) is not None:
        return "", 422
    try:
        _store(journey, survey, form, locale, _channel(invitation), invitation)
    except storage.AlreadyAnswered:
        return "", 409
    session["completable"] = [invitation["id"]]
    return "", 204


def _complete(invitation, survey: Survey, form) -> None:
    db = get_db()
    response = storage.response_of_invitation(db, invitation["id"])
    old = response["answers"]
    answers = survey_forms.answers_of(form, survey)
    polarity = scoring.polarity_of(survey, answers)
    storage.complete_response(
        db,
        response,
        polarity=polarity,
        answers=answers,
        old_increments=scoring.tally_increments(survey, old, response["polarity"]),
        increments=scoring.tally_increments(survey, answers, polarity),
        comment=survey_forms.comment_of(answers, survey),
    )


def _channel(invitation) -> str:
    return "email" if invitation["sent_at"] else "personal"


def _preset(survey: Survey, value: str | None) -> dict | None:
    """The email's one-click answer, if it is one of the deciding question's choices."""
    question = survey.deciding
    if value is None or value not in {v for v, _ in question.choices("en")}:
        return None
    return {question.key: int(value) if question.type in ("nps", "csat", "ces") else value}


@bp.route("/s/<token>/thanks")
def invited_thanks(token: str):
    invitation, journey, survey, locale, failure = _invitation(token)
    if failure:
        return failure
    if invitation["answered_at"] is None:
        return redirect(url_for(".invited_survey", token=token, lang=locale), 303)
    return render_template(
        "thanks.html", survey=survey, locale=locale, moment_name=survey.moment_name(locale)
    )


# --- opting out --------------------------------------------------------------------------


@bp.route("/u/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """Stop all surveys for this customer. A GET only asks; a POST (the page's button,
    or a mail client's RFC 8058 one-click POST) records the choice."""
    invitation, journey, survey, locale, failure = _invitation(token)
    if failure:
        return failure
    form = forms.confirm_form(_meta(locale), request.form if request.method == "POST" else None)
    one_click = request.form.get("List-Unsubscribe") == "One-Click"
    if request.method == "POST" and (one_click or form.validate()):
        if invitation["customer_ref"]:
            storage.add_optout(get_db(), invitations.customer_hash(invitation["customer_ref"]))
        return render_template(
            "unsubscribe.html", journey=journey, form=None, locale=locale, done=True
        )
    status = 422 if request.method == "POST" else 200
    return render_template(
        "unsubscribe.html", journey=journey, form=form, locale=locale, done=False
    ), status
