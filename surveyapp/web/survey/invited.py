"""Personal invitation links: ``/s/<token>``, single use, with the one-click answer from
the email, and opting out of surveys (``/u/<token>``)."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import (
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from surveyapp import storage
from surveyapp.domain import scoring
from surveyapp.domain.i18n import N_
from surveyapp.domain.surveys import Survey, survey_for
from surveyapp.domain.vocabulary import LOCALES, SOURCE_LOCALE
from surveyapp.services import invitations
from surveyapp.web import forms
from surveyapp.web.database import get_db
from surveyapp.web.errors import error_page
from surveyapp.web.locale import choose_locale
from surveyapp.web.survey import after, marks
from surveyapp.web.survey import forms as survey_forms
from surveyapp.web.survey.base import (
    already_answered,
    bp,
    check_post,
    customer_meta,
    render_survey,
    scored,
    store_answer,
    survey_form_for,
    switched_language,
    thanks_page,
)

TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
#: Unknown personal links one client may open before it must wait: a customer mistypes a
#: link a few times, a guesser millions.
GUESSES_ALLOWED = 20
GUESS_MEMORY = timedelta(minutes=10)


def _guessing(client: str) -> bool:
    """Has this client tried too many unknown links lately? (Checked before any lookup.)"""
    now = storage.utcnow()
    return any(
        found["failures"] >= GUESSES_ALLOWED
        and now - storage.parse_iso(found["last_at"]) < GUESS_MEMORY
        for found in storage.accounts.recent_failures(get_db(), [f"token:{client}"])
    )


def unknown_link():
    """The page of a personal link that opens nothing: 404, counted per client; past the
    limit the client must wait (429). Only misses are counted and checked: a real token
    (128 random bits) is never guessed."""
    db = get_db()
    client = request.remote_addr or "unknown"
    choose_locale(LOCALES, SOURCE_LOCALE)
    if _guessing(client):
        current_app.logger.warning("survey link refused: too many unknown links from %s", client)
        page, _ = error_page(
            429,
            N_("Too many wrong links"),
            N_("Please wait a few minutes, then open the link from your email again."),
        )
        return page, 429, {"Retry-After": "600"}
    current_app.logger.info("unknown survey link from %s", client)
    now = storage.utcnow()
    storage.accounts.add_failure(db, [f"token:{client}"], now, now - GUESS_MEMORY)
    return error_page(
        404,
        N_("This link is not valid"),
        N_("Please check that you opened the whole link from your email. Nothing was saved."),
    )


def _invitation(token: str):
    """The invitation, its journey and survey, and the page's locale; or an error page
    (:func:`unknown_link`)."""
    db = get_db()
    found = (
        storage.invitations.get_invitation_and_journey(db, token)
        if TOKEN.fullmatch(token)
        else None
    )
    invitation, journey = found or (None, None)
    moment = journey.moment(invitation["moment_id"]) if journey else None
    if moment is None:
        return None, None, None, None, unknown_link()
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
        return already_answered(survey, locale)
    if _expired(invitation) and not answered:
        return error_page(
            410,
            N_("This link has expired"),
            N_("This survey is closed. Thank you for your time."),
            branded=survey,
        )
    switched = switched_language(survey, journey.locales)
    if switched is not None:
        _opened(invitation)
        return switched
    preset = _preset(survey, request.args.get("a")) if request.method == "GET" else None
    form = survey_form_for(survey, locale, preset)
    notice = None
    thanks = url_for(".invited_thanks", token=token, lang=locale)
    if request.method == "POST":
        notice = check_post(form, survey)
        if notice is None:
            try:
                if answered:
                    _complete(invitation, journey, survey, form, locale, thanks)
                else:
                    store_answer(
                        journey, survey, form, locale, _channel(invitation), thanks, invitation
                    )
            except storage.responses.AlreadyAnswered:
                return already_answered(survey, locale)
            if "completable" in session:  # popping an absent key would re-sign the cookie
                session.pop("completable")
            return redirect(thanks, 303)
        _opened(invitation)  # a person sent the form, which still needs something
    if answered:
        presence = None
    elif preset:  # the person's first touch records the email's one-click answer
        presence = url_for(".first_answer", token=token)
    else:  # or only that a person opened it
        presence = url_for(".opened", token=token) if invitation["opened_at"] is None else None
    return render_survey(survey, form, locale, notice, presence_url=presence)


def _opened(invitation) -> None:
    if invitation["opened_at"] is None and invitation["answered_at"] is None:
        storage.invitations.mark_opened(get_db(), invitation["id"])


@bp.route("/s/<token>/opened", methods=["POST"])
def opened(token: str):
    """With JavaScript, the page says when a person is really there (it is visible and
    they move, touch, scroll or type): an invitation is "opened" only then, never by a
    mail scanner's GET."""
    invitation, _journey, survey, locale, failure = _invitation(token)
    if failure:
        return "", 404
    form = survey_form_for(survey, locale)
    if not form.csrf_token.validate(form):  # only this page's own script may say so
        return "", 422
    _opened(invitation)
    return "", 204


@bp.route("/s/<token>/first", methods=["POST"])
def first_answer(token: str):
    """With JavaScript, the email's one-click answer is recorded as soon as a person
    interacts with the page; the rest of the survey can still be finished."""
    invitation, journey, survey, locale, failure = _invitation(token)
    if failure:
        return "", 404
    if invitation["answered_at"] is not None or _expired(invitation):
        return "", 409
    form = survey_form_for(survey, locale)
    if check_post(form, survey) is not None:
        return "", 422
    thanks = url_for(".invited_thanks", token=token, lang=locale)
    try:
        store_answer(journey, survey, form, locale, _channel(invitation), thanks, invitation)
    except storage.responses.AlreadyAnswered:
        return "", 409
    session["completable"] = [invitation["id"]]
    return "", 204


def _complete(invitation, journey, survey: Survey, form, locale: str, thanks: str) -> None:
    """The rest of a survey whose one-click answer was recorded: the answer, its tallies
    and what its thank-you page offers follow the completed answers."""
    db = get_db()
    response = storage.responses.response_of_invitation(db, invitation["id"])
    answers = survey_forms.answers_of(form, survey)
    polarity = scoring.polarity_of(survey, answers)
    old_increments, _ = scored(journey, survey, response["answers"], response["polarity"], locale)
    increments, offered = scored(journey, survey, answers, polarity, locale)
    storage.responses.complete_response(
        db,
        response,
        polarity=polarity,
        answers=answers,
        old_increments=old_increments,
        increments=increments,
        comment=survey_forms.comment_of(answers, survey),
    )
    if offered:  # what the completed answer is offered, whatever the click was
        tally = {k: response[k] for k in storage.tallies.KEY}
        marks.remember(response["id"], polarity, tally, thanks)


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
    return thanks_page(survey, locale, after=after.offer(journey, survey, locale))


@bp.route("/u/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """Stop all surveys for this customer. A GET only asks; a POST (the page's button,
    or a mail client's RFC 8058 one-click POST) records the choice."""
    invitation, journey, survey, locale, failure = _invitation(token)
    if failure:
        return failure
    form = forms.confirm_form(
        customer_meta(locale), request.form if request.method == "POST" else None
    )
    one_click = request.form.get("List-Unsubscribe") == "One-Click"
    if request.method == "POST" and (one_click or form.validate()):
        if invitation["customer_ref"]:
            storage.invitations.add_optout(
                get_db(), invitations.customer_hash(invitation["customer_ref"]), invitation["id"]
            )
        return render_template(
            "unsubscribe.html", journey=journey, form=None, locale=locale, done=True
        )
    status = 422 if request.method == "POST" else 200
    return render_template(
        "unsubscribe.html", journey=journey, form=form, locale=locale, done=False
    ), status
