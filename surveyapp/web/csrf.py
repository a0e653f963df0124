"""CSRF, ours: WTForms' session CSRF with the token made only when shown and compared in
constant time, the customer's secret in a cookie of its own (admin pages keep theirs in
the signed session), and how every customer cookie is sent (partitioned when framed).

Why not Flask-WTF's CSRF (issue 28 asked to adopt it unless it costs measurably): it
keeps the secret in Flask's signed session, so every new visitor's survey page signs
and sends a session cookie. Measured side by side with ``benchmarks/submit.py --rounds
3 --duration 5`` (2026-12-07, the same code with the survey forms on Flask-WTF's
``FlaskForm`` CSRF, each figure the median of 3 rounds against the same run's
baseline): survey page views 0.50x -> 0.44x of a bare "hello" (CPU 0.70 -> 0.79 ms a
view), submits 0.46x -> 0.42x of the minimal baseline (CPU 1.49 -> 1.60 ms), and
+1.1 MB per worker. It would also put the customer's secret in the admin session's
cookie, which must stay SameSite=Lax while a framed survey's must be SameSite=None and
partitioned (``set_visitor_cookie``).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from datetime import timedelta
from types import SimpleNamespace

from flask import Response, current_app, g
from wtforms import HiddenField
from wtforms.csrf.core import CSRFTokenField
from wtforms.csrf.session import SessionCSRF
from wtforms.validators import ValidationError

from surveyapp.web import lookups

#: The form field that carries the token.
CSRF_FIELD = "csrf_token"
#: The cookie that holds a customer's CSRF secret (see visitor_csrf).
CSRF_COOKIE = "csrf_secret"
CSRF_COOKIE_DAYS = 30
_CSRF_SECRET = re.compile(r"[0-9a-f]{40}")  # what WTForms' SessionCSRF makes


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


def csrf_token(meta: dict) -> str:
    """The CSRF token a form with this ``meta`` would carry, without building the form
    (WTForms' own SessionCSRF makes it): for pages rendered once and reused."""
    csrf = SessionCSRF()
    csrf.form_meta = SimpleNamespace(**meta)
    return csrf.generate_csrf_token(None)


def visitor_csrf() -> dict:
    """WTForms' CSRF context on customer pages: the browser's CSRF secret, kept in a cookie
    of its own (as Django keeps its csrftoken) instead of the signed Flask session.

    Not the signed session, whose signing costs every new visitor (figures above). The
    cookie needs no signature: a form's token
    is an HMAC of this value and expiry time with the secret key, which only the server
    can make. A new secret is sent as a cookie after the request.
    """
    context = g.get("visitor_csrf")
    if context is None:
        value = lookups.cookie(CSRF_COOKIE)
        context = g.visitor_csrf = {"csrf": value} if _CSRF_SECRET.fullmatch(value) else {}
    return context


def send_new_secret(response: Response, header_names: set[str]) -> None:
    """After a customer page: vary on the cookie, and set it if this request made one.
    ``header_names`` are the response's, in lower case."""
    context = g.get("visitor_csrf")
    if context is None:
        return
    # The page carries this visitor's token. (Werkzeug's response.vary parses the header
    # it lacks by a lookup that raises.)
    if "vary" in header_names:
        response.vary.add("Cookie")
    else:
        response.headers["Vary"] = "Cookie"
    secret = context.get("csrf")
    if secret and secret != lookups.cookie(CSRF_COOKIE):
        # Set once, not on every page: it must outlive any form shown while it lives (a
        # page's token is good for FORM_TIME_LIMIT_HOURS), so it lasts as long as an
        # invitation, not as long as one form.
        set_visitor_cookie(response, CSRF_COOKIE, secret, timedelta(days=CSRF_COOKIE_DAYS))


def set_visitor_cookie(response: Response, name: str, value: str, max_age: timedelta) -> None:
    """A customer page's own cookie (the CSRF secret, the mark of an answer), for the
    service's pages only and never readable by scripts."""
    app = current_app
    # A survey framed by the company's site (EMBED_ORIGINS) is often on another site,
    # and browsers give a frame from another site no Lax cookie, and no unpartitioned
    # third-party cookie at all where those are blocked: the form could not be sent.
    # There the cookie is SameSite=None and Partitioned (kept for that embedding site
    # only), which browsers take only with Secure. CSRF still holds: the posted token
    # must match this cookie's secret.
    framed = bool(app.config.get("EMBED_ORIGINS")) and app.config["SESSION_COOKIE_SECURE"]
    response.set_cookie(
        name,
        value,
        max_age=int(max_age.total_seconds()),
        path=app.session_interface.get_cookie_path(app),
        secure=app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="None" if framed else "Lax",
        partitioned=framed,
    )
