"""The recovery survey's page, ``/r/<token>``: one question, "Did we make it right?",
in the customer's language; a personal link that takes one answer."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from wtforms import RadioField, SelectChoice
from wtforms.validators import InputRequired

from surveyapp import storage
from surveyapp.domain.i18n import N_
from surveyapp.domain.i18n import lazy_translate as _l
from surveyapp.domain.vocabulary import RECOVERY_ANSWERS, RECOVERY_QUESTION
from surveyapp.services import recovery
from surveyapp.web.database import get_db
from surveyapp.web.errors import error_page
from surveyapp.web.forms import BaseForm
from surveyapp.web.locale import choose_locale
from surveyapp.web.survey.base import bp, customer_meta
from surveyapp.web.survey.invited import TOKEN, unknown_link


class RecoveryForm(BaseForm):
    answer = RadioField(
        _l(RECOVERY_QUESTION),
        choices=[SelectChoice(value, _l(label)) for value, label in RECOVERY_ANSWERS.items()],
        validators=[InputRequired()],
    )


def _recovery(token: str):
    """The recovery survey a link opens and its journey, or (None, None)."""
    db = get_db()
    hashed = recovery.token_hash(token)
    found = storage.recoveries.recovery_by_token(db, hashed) if TOKEN.fullmatch(token) else None
    journey = storage.journeys.get_journey(db, found["journey_id"]) if found else None
    return (found, journey) if journey else (None, None)


@bp.route("/r/<token>", methods=["GET", "POST"])
def recovery_survey(token: str):
    """A GET only shows the question (mail scanners open every link); a POST answers."""
    found, journey = _recovery(token)
    if journey is None:
        return unknown_link()
    locale = choose_locale(journey.locales, found["locale"], use_browser=False)
    done = url_for(".recovery_thanks", token=token, lang=locale)
    if found["answered_at"]:
        return redirect(done, 303)
    if storage.parse_iso(found["expires_at"]) <= storage.utcnow():
        return error_page(
            410,
            N_("This link has expired"),
            N_("This survey is closed. Thank you for your time."),
            branded=journey,
        )
    form = RecoveryForm(
        request.form if request.method == "POST" else None, meta=customer_meta(locale)
    )
    status = 200
    if request.method == "POST":
        if form.validate():
            storage.recoveries.answer_recovery(get_db(), found["token_hash"], form.answer.data)
            return redirect(done, 303)
        status = 422
    return render_template(
        "recovery.html", journey=journey, branded=journey, form=form, locale=locale
    ), status


@bp.route("/r/<token>/thanks")
def recovery_thanks(token: str):
    found, journey = _recovery(token)
    if journey is None or not found["answered_at"]:
        return unknown_link()
    locale = choose_locale(journey.locales, found["locale"], use_browser=False)
    return render_template(
        "recovery.html", journey=journey, branded=journey, form=None, locale=locale
    )
