"""Flask glue shared by every view: the request's database and locale, templates'
gettext, security headers and localized error pages."""

from __future__ import annotations

import os
import re
import threading

from flask import Flask, current_app, g, render_template, request, url_for
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import HTTPException

from surveyapp import i18n, storage
from surveyapp.i18n import N_

SECURITY_HEADERS = {
    # Scripts and styles only from our own static files: no inline code at all.
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
        "img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # A survey link carries a token: never tell another site where the customer came from.
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}

ERROR_TEXTS = {
    400: (
        N_("This request could not be understood"),
        N_("Something in the request was malformed. Nothing was saved."),
    ),
    403: (N_("Access refused"), N_("You are not allowed to see this page.")),
    404: (
        N_("Page not found"),
        N_("There is no survey at this address. Please check the link you received."),
    ),
    405: (N_("Method not allowed"), N_("This page cannot be used this way.")),
    413: (
        N_("Your answer is too long"),
        N_(
            "What you sent is larger than a survey answer can be. Nothing was saved. "
            "Please go back and shorten your comment."
        ),
    ),
    500: (
        N_("Something went wrong on our side"),
        N_("Your answer may not have been saved. Please try again in a moment."),
    ),
}


_connections = threading.local()

#: The cookie that holds a customer's CSRF secret (see visitor_csrf).
CSRF_COOKIE = "csrf_secret"
CSRF_COOKIE_DAYS = 30
_CSRF_SECRET = re.compile(r"[0-9a-f]{40}")  # what WTForms' SessionCSRF makes


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer built once per key set.

    Flask builds a new serializer twice per request, and each build serializes an empty
    dict to probe its serializer: about 3% of a survey page view, which never needs the
    session. The keys are compared on every request, so a changed
    SECRET_KEY still takes effect at once.
    """

    _cached: tuple | None = None

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        cached = self._cached
        if cached is None or cached[0] != keys:
            cached = self._cached = (keys, super().get_signing_serializer(app))
        return cached[1]


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
        value = request.cookies.get(CSRF_COOKIE, "")
        context = g.visitor_csrf = {"csrf": value} if _CSRF_SECRET.fullmatch(value) else {}
    return context


def get_db():
    """The database connection of this worker thread, for this request.

    One connection per thread, kept between requests as Datasette does: opening and
    closing one per request made each close of the last connection checkpoint the
    WAL, the largest single cost of a submit (benchmarks/README.md). A gunicorn sync
    worker serves one request at a time, so the connection is never shared by two.
    """
    if "db" not in g:
        cached = getattr(_connections, "db", None)
        key = (os.getpid(), current_app.config["DATABASE"])
        if cached is None or _connections.key != key:
            cached = storage.connect(key[1])
            _connections.db, _connections.key = cached, key
        g.db = cached
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    """End of request: never leave a transaction open on the kept connection."""
    db = g.pop("db", None)
    if db is not None and db.conn.in_transaction:
        db.conn.rollback()


def choose_locale(
    offered: tuple[str, ...] | list[str], default: str, use_browser: bool = True
) -> str:
    """``?lang=``, then the browser's Accept-Language, then the default; sets ``g.locale``."""
    lang = request.args.get("lang", "")
    if lang in offered:
        g.locale = lang
    elif use_browser:
        g.locale = request.accept_languages.best_match(offered) or default
    else:
        g.locale = default
    g.offered_locales = tuple(offered)
    return g.locale


def current_locale() -> str:
    return g.get("locale") or choose_locale(i18n.LOCALES, "en")


def url_with_lang(code: str) -> str:
    """This page's address in another language (the language switcher's links)."""
    if request.endpoint is None or request.endpoint == "static":
        return f"?lang={code}"
    args = {**request.args.to_dict(), **(request.view_args or {}), "lang": code}
    return url_for(request.endpoint, **args)


def error_page(status: int, title: str | None = None, message: str | None = None):
    """A localized error page; ``title``/``message`` are message ids to translate."""
    locale = current_locale()
    default_title, default_message = ERROR_TEXTS.get(status, ERROR_TEXTS[500])
    return render_template(
        "error.html",
        title=i18n.translate(locale, title or default_title),
        message=i18n.translate(locale, message or default_message),
        status=status,
    ), status


def _handle_http_error(exc: HTTPException):
    if request.path.startswith("/api/"):
        from surveyapp.api import error_response

        code = (exc.name or "error").lower().replace(" ", "_")
        headers = (
            {"Allow": ", ".join(exc.valid_methods)} if getattr(exc, "valid_methods", None) else {}
        )
        return error_response(
            exc.code or 500, code, exc.description or exc.name or "", headers=headers
        )
    response = error_page(exc.code or 500)
    if exc.code == 405 and exc.valid_methods:
        return response[0], response[1], {"Allow": ", ".join(exc.valid_methods)}
    return response


def init_app(app: Flask) -> None:
    """Wire the shared request handling into ``app``."""
    app.teardown_appcontext(close_db)
    app.session_interface = SessionInterface()
    i18n.use_locale_from(current_locale)

    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(
        lambda message: i18n.translations_for(current_locale()).ugettext(message),
        lambda singular, plural, n: i18n.translations_for(current_locale()).ungettext(
            singular, plural, n
        ),
        newstyle=True,
    )
    app.jinja_env.filters["number"] = lambda v, digits=1: i18n.number(v, current_locale(), digits)
    app.jinja_env.filters["percent"] = lambda v: i18n.percent(v, current_locale())
    # <time datetime> allows at most milliseconds: keep whole seconds.
    app.jinja_env.filters["html_time"] = lambda stamp: stamp[:19] + "Z"
    app.jinja_env.globals.update(
        language_name=i18n.language_name,
        url_with_lang=url_with_lang,
        current_locale=current_locale,
    )

    embed_origins = " ".join(app.config.get("EMBED_ORIGINS") or [])

    @app.after_request
    def _finish(response):
        """Security headers on every response; the CSRF cookie a customer page made."""
        # No view sets these; extend() adds them without a lookup per header.
        response.headers.extend(SECURITY_HEADERS)
        if embed_origins and request.blueprint == "survey":
            # Survey pages may be shown in a frame on the company's own site, nowhere else.
            response.headers["Content-Security-Policy"] = response.headers[
                "Content-Security-Policy"
            ].replace("frame-ancestors 'none'", f"frame-ancestors {embed_origins}")
            del response.headers["X-Frame-Options"]
        context = g.get("visitor_csrf")
        if context is not None:
            response.vary.add("Cookie")  # the page carries this visitor's token
            secret = context.get("csrf")
            if secret and secret != request.cookies.get(CSRF_COOKIE):
                # A survey framed by the company's site (EMBED_ORIGINS) is often on another
                # site, and browsers give a frame from another site no Lax cookie, and no
                # unpartitioned third-party cookie at all where those are blocked: the form
                # could not be sent. There the cookie is SameSite=None and Partitioned (kept
                # for that embedding site only), which browsers take only with Secure. CSRF
                # still holds: the posted token must match this cookie's secret.
                framed = bool(embed_origins) and app.config["SESSION_COOKIE_SECURE"]
                response.set_cookie(
                    CSRF_COOKIE,
                    secret,
                    # Set once, not on every page: it must outlive any form shown while it
                    # lives (a page's token is good for FORM_TIME_LIMIT_HOURS), so it lasts
                    # as long as an invitation, not as long as one form.
                    max_age=CSRF_COOKIE_DAYS * 86400,
                    path=app.session_interface.get_cookie_path(app),
                    secure=app.config["SESSION_COOKIE_SECURE"],
                    httponly=True,
                    samesite="None" if framed else "Lax",
                    partitioned=framed,
                )
        return response

    app.register_error_handler(HTTPException, _handle_http_error)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("unhandled error on %s", request.path)
        if request.path.startswith("/api/"):
            from surveyapp.api import error_response

            return error_response(500, "internal_error", "Something went wrong on our side.")
        return error_page(500)
