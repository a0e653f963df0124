"""Customers' cookies: their CSRF secret, kept in a cookie of its own (admin pages use
the session), and how every customer cookie is sent (partitioned when framed)."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Response, current_app, g

from surveyapp.web import lookups

#: The cookie that holds a customer's CSRF secret (see visitor_csrf).
CSRF_COOKIE = "csrf_secret"
CSRF_COOKIE_DAYS = 30
_CSRF_SECRET = re.compile(r"[0-9a-f]{40}")  # what WTForms' SessionCSRF makes


def visitor_csrf() -> dict:
    """WTForms' CSRF context on customer pages: the browser's CSRF secret, kept in a cookie
    of its own (as Django keeps its csrftoken) instead of the signed Flask session.

    Signing and compressing a session cookie just to hold this value cost a third of a
    survey page view for every new visitor. The cookie needs no signature: a form's token
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
