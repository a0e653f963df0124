"""WTForms forms: the survey form built from a generated survey.

Form contract (other tools rely on it): each field is named after its question
key; a polarity question posts ``positive``, ``neutral`` or ``negative``; a
yes/no question ``yes`` or ``no``; ratings post integers; a text question any
text up to 2,000 characters. Besides those, only ``csrf_token`` may be posted.
"""

from __future__ import annotations

import functools
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import (
    FileField,
    Form,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.csrf.session import SessionCSRF
from wtforms.validators import InputRequired, Length, Optional

from surveyapp.i18n import lazy_translate as _l
from surveyapp.surveys import MAX_TEXT_ANSWER, RANGES, Survey, SurveyQuestion

CSRF_FIELD = "csrf_token"


class BaseForm(Form):
    """Every state-changing form: CSRF bound to the visitor's session, messages localized."""

    class Meta:
        csrf = True
        csrf_class = SessionCSRF
        csrf_field_name = CSRF_FIELD


def form_meta(*, secret_key: str, csrf_context: Any, locale: str, time_limit_hours: int) -> dict:
    """The per-request WTForms meta: CSRF secret and context (a session-like mapping that
    keeps the visitor's CSRF secret), and the reader's locale."""
    return {
        "csrf_secret": secret_key.encode(),
        "csrf_context": csrf_context,
        "csrf_time_limit": timedelta(hours=time_limit_hours),
        "locales": [locale],
    }


def _field(survey: Survey, question: SurveyQuestion, locale: str):
    label = survey.question_text(question, locale)
    presence = InputRequired() if question.required else Optional()
    if question.type == "text":
        return TextAreaField(label, validators=[Optional(), Length(max=MAX_TEXT_ANSWER)])
    if question.type in RANGES:
        choices = [SelectChoice(int(value), text) for value, text in question.choices(locale)]
        return RadioField(label, choices=choices, coerce=int, validators=[presence])
    choices = [SelectChoice(value, text) for value, text in question.choices(locale)]
    return RadioField(label, choices=choices, validators=[presence])


def survey_form(
    survey: Survey, locale: str, formdata: MultiDict | None, meta: dict, data: dict | None = None
) -> BaseForm:
    """A form for ``survey`` in ``locale``; fields are named after the question keys.

    ``data`` preselects answers (the one-click answer from an email) without posting them.
    """

    return _form_class(survey, locale)(formdata=formdata, meta=meta, data=data)


@functools.lru_cache(maxsize=1024)
def _form_class(survey: Survey, locale: str) -> type[BaseForm]:
    """One form class per survey and language: labels are already translated."""

    class SurveyForm(BaseForm):
        pass

    for question in survey.questions:
        setattr(SurveyForm, question.key, _field(survey, question, locale))
    return SurveyForm


def csrf_token(meta: dict) -> str:
    """The CSRF token a form with this ``meta`` would carry, without building the form
    (WTForms' own SessionCSRF makes it): for pages rendered once and reused."""
    csrf = SessionCSRF()
    csrf.form_meta = SimpleNamespace(**meta)
    return csrf.generate_csrf_token(None)


def confirm_form(meta: dict, formdata: MultiDict | None) -> BaseForm:
    """A form with nothing but its CSRF token: a button that confirms an action."""
    return BaseForm(formdata=formdata, meta=meta)


def unexpected_fields(formdata: MultiDict, survey: Survey) -> list[str]:
    """Names posted that the survey does not ask, or that were posted more than once."""
    allowed = {q.key for q in survey.questions} | {CSRF_FIELD}
    problems = []
    for name in formdata:
        if name not in allowed or len(formdata.getlist(name)) > 1:
            problems.append(name)
    return problems


def answers_of(form: BaseForm, survey: Survey) -> dict[str, Any]:
    """The valid answers as stored: ints for ratings, text stripped, skipped ones left out."""
    answers: dict[str, Any] = {}
    for question in survey.questions:
        value = form[question.key].data
        if isinstance(value, str):
            value = value.strip()
        if value not in (None, ""):
            answers[question.key] = value
    return answers


def comment_of(answers: dict[str, Any], survey: Survey) -> str | None:
    """The response's free-text answers, joined: what "what customers said" lists."""
    texts = [answers[q.key] for q in survey.questions if q.type == "text" and q.key in answers]
    return "\n".join(texts) or None


class LoginForm(BaseForm):
    username = StringField(_l("User name"), validators=[InputRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=200)])


class UploadForm(BaseForm):
    definition = FileField(_l("Journey definition (YAML or JSON)"), validators=[InputRequired()])


class FollowupForm(BaseForm):
    status = SelectField(
        _l("Status"),
        choices=[
            SelectChoice("open", _l("Open")),
            SelectChoice("contacted", _l("Contacted")),
            SelectChoice("resolved", _l("Resolved")),
        ],
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
