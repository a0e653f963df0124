"""The base of every form: WTForms with CSRF and messages in the reader's language."""

from __future__ import annotations

import functools
import hashlib
import hmac
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import Form, HiddenField, PasswordField, StringField
from wtforms.csrf.core import CSRFTokenField
from wtforms.csrf.session import SessionCSRF
from wtforms.validators import ValidationError

CSRF_FIELD = "csrf_token"


def without_nul(value):
    """Text as it can be kept: NUL, which no one types and no stored text may hold
    (PostgreSQL refuses it), is dropped; everything else is left as written."""
    return value.replace("\x00", "") if isinstance(value, str) else value


class _TokenField(CSRFTokenField):
    """The CSRF token field, which makes its token only when the page shows it: a valid
    post is answered by a redirect and never needs one (WTForms makes one per form)."""

    def process(self, *args, **kwargs):
        HiddenField.process(self, *args, **kwargs)

    @functools.cached_property
    def current_token(self) -> str:
        return self.csrf_impl.generate_csrf_token(self)


# WTForms' own messages, which its own catalogs translate (field.gettext); our pages
# show a notice of their own instead (survey.base.check_post).
_MISSING, _FAILED, _EXPIRED = "CSRF token missing.", "CSRF failed.", "CSRF token expired."


class VisitorCSRF(SessionCSRF):
    """WTForms' session CSRF, with the token made when it is shown and the posted one
    compared in constant time (WTForms compares with ``!=``, which can tell by its
    timing how much of a forged HMAC was right)."""

    field_class = _TokenField

    def validate_csrf_token(self, form, field):
        data = field.data
        if not data or "##" not in data:
            raise ValidationError(field.gettext(_MISSING))
        expires, posted = data.split("##", 1)
        secret = self.session.get("csrf")
        if not secret:  # no cookie: this browser never opened the form
            raise ValidationError(field.gettext(_FAILED))
        check = (secret + expires).encode()
        expected = hmac.new(self.form_meta.csrf_secret, check, digestmod=hashlib.sha1)
        if not hmac.compare_digest(expected.hexdigest(), posted):
            raise ValidationError(field.gettext(_FAILED))
        if self.time_limit and self.now().strftime(self.TIME_FORMAT) > expires:
            raise ValidationError(field.gettext(_EXPIRED))


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


def csrf_token(meta: dict) -> str:
    """The CSRF token a form with this ``meta`` would carry, without building the form
    (WTForms' own SessionCSRF makes it): for pages rendered once and reused."""
    csrf = SessionCSRF()
    csrf.form_meta = SimpleNamespace(**meta)
    return csrf.generate_csrf_token(None)


def confirm_form(meta: dict, formdata: MultiDict | None) -> BaseForm:
    """A form with nothing but its CSRF token: a button that confirms an action."""
    return BaseForm(formdata=formdata, meta=meta)
