"""Error pages in the reader's language, and JSON errors under /api/."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from surveyapp import storage
from surveyapp.domain import i18n
from surveyapp.domain.i18n import N_
from surveyapp.web.locale import current_locale

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


def error_response(status: int, code: str, message: str, details=None, headers=None):
    """The API's error body, ``{"error": {"code", "message", "details"}}``, with ``status``."""
    response = jsonify({"error": {"code": code, "message": message, "details": details or []}})
    response.status_code = status
    response.headers.update(headers or {})
    return response


def error_page(status: int, title: str | None = None, message: str | None = None, **values):
    """A localized error page; ``title``/``message`` are message ids to translate,
    ``values`` fill the message's placeholders."""
    locale = current_locale()
    texts = ADMIN_ERROR_TEXTS if request.blueprint == "admin" else {}
    default_title, default_message = texts.get(status) or ERROR_TEXTS.get(status, ERROR_TEXTS[500])
    return render_template(
        "error.html",
        title=i18n.translate(locale, title or default_title),
        message=i18n.translate(locale, message or default_message, **values),
        status=status,
    ), status


def _handle_http_error(exc: HTTPException):
    if request.path.startswith("/api/"):
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


def _database_down(exc: Exception):
    """The database went away mid-request: nothing was written (the transaction died with
    the connection), the customer is asked to try again, and the pool replaces the dead
    connection, so the service resumes by itself when the database is back."""
    app = current_app._get_current_object()
    app.logger.error("database unavailable on %s: %s", request.path, exc)
    retry = {"Retry-After": "5"}
    if request.path.startswith("/api/"):
        return error_response(
            503, "database_unavailable", "The database is unavailable; retry.", headers=retry
        )
    body, status = error_page(503)
    return body, status, retry


def init_app(app: Flask) -> None:
    """Every HTTP error and every unexpected exception gets a page (or JSON under /api/)."""
    app.register_error_handler(HTTPException, _handle_http_error)
    for error in storage.DATABASE_DOWN:
        app.register_error_handler(error, _database_down)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("unhandled error on %s", request.path)
        if request.path.startswith("/api/"):
            return error_response(500, "internal_error", "Something went wrong on our side.")
        return error_page(500)
