"""The base of every form: WTForms with CSRF and messages in the reader's language."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import Form, PasswordField, StringField

from surveyapp.domain.i18n import N_
from surveyapp.web.csrf import CSRF_FIELD, VisitorCSRF

#: What a page says of a post whose form was not valid (a stale CSRF token, a field
#: tampered with): nothing was changed.
NOT_VALID = N_("Nothing was changed: the form was not valid. Please try again.")


def without_nul(value):
    """Text as it can be kept: NUL, which no one types and no stored text may hold
    (PostgreSQL refuses it), is dropped; everything else is left as written."""
    return value.replace("\x00", "") if isinstance(value, str) else value


class BaseForm(Form):
    """Every state-changing form: CSRF bound to the visitor's session, messages localized,
    NUL dropped from every text field."""

    class Meta:
        csrf = True
        csrf_class = VisitorCSRF
        csrf_field_name = CSRF_FIELD

        def bind_field(self, form, unbound_field, options):
            kind = unbound_field.field_class
            if issubclass(kind, StringField) and not issubclass(kind, PasswordField):
                filters = [*unbound_field.kwargs.get("filters", ()), without_nul]
                return unbound_field.bind(form=form, **options, filters=filters)
            return unbound_field.bind(form=form, **options)


def form_meta(*, secret_key: str, csrf_context: Any, locale: str, time_limit_hours: int) -> dict:
    """The per-request WTForms meta: CSRF secret and context (a session-like mapping that
    keeps the visitor's CSRF secret), and the reader's locale."""
    return {
        "csrf_secret": secret_key.encode(),
        "csrf_context": csrf_context,
        "csrf_time_limit": timedelta(hours=time_limit_hours),
        "locales": [locale],
    }


def confirm_form(meta: dict, formdata: MultiDict | None) -> BaseForm:
    """A form with nothing but its CSRF token: a button that confirms an action."""
    return BaseForm(formdata=formdata, meta=meta)
