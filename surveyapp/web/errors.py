"""The web's two faces of every error: a page in the reader's language, and under
/api/ an RFC 9457 problem (``application/problem+json``).

Services raise the error model's refusals (domain/errors.py); Werkzeug's HTTP errors,
a database gone away and anything unexpected take the same two roads.
"""

from __future__ import annotations

import json
from http import HTTPStatus

from flask import Flask, Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from surveyapp import storage
from surveyapp.domain import i18n
from surveyapp.domain.errors import Refusal, Unavailable
from surveyapp.domain.i18n import N_
from surveyapp.domain.problems import Problem
from surveyapp.web.locale import current_locale

PROBLEM_TYPE = "application/problem+json"

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
    409: (
        N_("This cannot be done now"),
        N_("Someone changed it in the meantime, or it was already done. Nothing was saved."),
    ),
    422: (
        N_("This request could not be accepted"),
        N_("Something in it is not valid. Nothing was saved."),
    ),
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


#: What an admin reads instead, where it differs: they upload files, not answers.
ADMIN_ERROR_TEXTS = {
    413: (
        N_("This file is too large"),
        N_(
            "The file is larger than this page accepts. Nothing was created or changed. "
            "Split it into smaller files and upload each one."
        ),
    ),
}

# The database away (503) reads to a customer as any failure on our side: try again.
ERROR_TEXTS[503] = ERROR_TEXTS[500]


def problem(
    status: int,
    code: str,
    detail: str,
    problems: list[Problem] | tuple = (),
    headers: dict | None = None,
) -> Response:
    """An RFC 9457 problem: ``type`` is about:blank (the status says what kind), ``title``
    the status's phrase, ``detail`` what happened; our extensions ``code`` (stable, for
    programs) and ``errors`` (each problem's ``path`` and ``reason``)."""
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        "errors": [p.as_dict() for p in problems],
    }
    return Response(
        json.dumps(body, ensure_ascii=False), status, headers or {}, mimetype=PROBLEM_TYPE
    )


def refused(exc: Refusal):
    """A refusal's face: a problem under /api/ (English), else a page in the reader's
    language: its message if it is a translatable Message, the status's own text if it
    is plain English (written for the API and the CLI)."""
    if request.path.startswith("/api/"):
        return problem(exc.status, exc.code, exc.text("en"), exc.problems, exc.headers)
    if not isinstance(exc.message, i18n.Message):
        body, status = error_page(exc.status)
        return body, status, exc.headers
    locale = current_locale()
    body = render_template(
        "error.html",
        title=i18n.translate(locale, _texts(exc.status)[0]),
        message=exc.text(locale),
        status=exc.status,
    )
    return body, exc.status, exc.headers


def _texts(status: int) -> tuple[str, str]:
    texts = ADMIN_ERROR_TEXTS if request.blueprint == "admin" else {}
    return texts.get(status) or ERROR_TEXTS.get(status, ERROR_TEXTS[500])


def error_page(
    status: int,
    title: str | None = None,
    message: str | None = None,
    *,
    branded=None,
    **values,
):
    """A localized error page; ``title``/``message`` are message ids to translate,
    ``values`` fill the message's placeholders; ``branded`` (a survey or a journey): the
    company whose link it is, whose name and logo the page then wears."""
    locale = current_locale()
    default_title, default_message = _texts(status)
    return render_template(
        "error.html",
        title=i18n.translate(locale, title or default_title),
        message=i18n.translate(locale, message or default_message, **values),
        status=status,
        branded=branded,
    ), status


def _handle_http_error(exc: HTTPException):
    if request.path.startswith("/api/"):
        code = (exc.name or "error").lower().replace(" ", "_")
        headers = (
            {"Allow": ", ".join(exc.valid_methods)} if getattr(exc, "valid_methods", None) else {}
        )
        return problem(exc.code or 500, code, exc.description or exc.name or "", headers=headers)
    response = error_page(exc.code or 500)
    if exc.code == 405 and exc.valid_methods:
        return response[0], response[1], {"Allow": ", ".join(exc.valid_methods)}
    return response


def _database_down(exc: Exception):
    """The database went away mid-request: nothing was written (the transaction died with
    the connection), the customer is asked to try again, and the pool replaces the dead
    connection, so the service resumes by itself when the database is back."""
    app = current_app._get_current_object()
    app.logger.error("database unavailable on %s: %s", request.path, exc)
    if request.path.startswith("/api/"):
        message = "The database is unavailable; retry."
        return refused(Unavailable(message, code="database_unavailable"))
    body, status = error_page(503)
    return body, status, {"Retry-After": "5"}


def init_app(app: Flask) -> None:
    """Every refusal, HTTP error and unexpected exception gets a page (or a problem
    under /api/)."""
    app.register_error_handler(Refusal, refused)
    app.register_error_handler(HTTPException, _handle_http_error)
    for error in storage.DATABASE_DOWN:
        app.register_error_handler(error, _database_down)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("unhandled error on %s", request.path)
        if request.path.startswith("/api/"):
            return problem(500, "internal_error", "Something went wrong on our side.")
        return error_page(500)
