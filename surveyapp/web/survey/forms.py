"""WTForms forms: the survey form built from a generated survey.

Form contract (other tools rely on it): each field is named after its question
key; a polarity question posts ``positive``, ``neutral`` or ``negative``; a
yes/no question ``yes`` or ``no``; ratings post integers; a text question any
text up to 2,000 characters. Besides those, only ``csrf_token`` (and the language
switcher's ``switch_language``) may be posted. The contact form after a bad answer
posts ``contact`` and ``consent``.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from surveyapp.domain.i18n import N_, lazy_translate
from surveyapp.domain.surveys import Survey, SurveyQuestion
from surveyapp.domain.text import is_valid_email
from surveyapp.domain.vocabulary import MAX_TEXT_ANSWER, RANGES
from surveyapp.web.forms import CSRF_FIELD, BaseForm


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


#: The language switcher's buttons submit the survey form under this name, so that what
#: the customer typed comes back in the other language (without JavaScript too).
SWITCH_FIELD = "switch_language"


def unexpected_fields(formdata: MultiDict, survey: Survey) -> list[str]:
    """Names posted that the survey does not ask, or that were posted more than once."""
    allowed = {q.key for q in survey.questions} | {CSRF_FIELD, SWITCH_FIELD}
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


PHONE = re.compile(r"\+?[0-9 ().-]{6,30}")
MAX_CONTACT = 200


def _email_or_phone(form, field) -> None:
    value = (field.data or "").strip()
    digits = sum(c.isdigit() for c in value)
    if not (is_valid_email(value) or (PHONE.fullmatch(value) and digits >= 6)):
        raise ValidationError(
            lazy_translate(N_("Please give an email address or a phone number we can reach."))
        )


class ContactForm(BaseForm):
    """After a bad answer: a way to reach the customer, given with their consent."""

    contact = StringField(
        lazy_translate(N_("Email or phone")),
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        validators=[
            InputRequired(lazy_translate(N_("Please give an email address or a phone number."))),
            Length(max=MAX_CONTACT),
            _email_or_phone,
        ],
    )
    consent = BooleanField(
        validators=[
            InputRequired(lazy_translate(N_("Please tick the box to agree to be contacted.")))
        ]
    )
