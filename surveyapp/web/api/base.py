"""The API's blueprint and what every endpoint shares: API-key authentication, the
per-key rate limit, JSON errors, request parsing."""

from __future__ import annotations

import json
import math
import time
from datetime import date
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request

from surveyapp import storage
from surveyapp.domain.definitions import MAX_NESTING, json_too_deep
from surveyapp.jobs import apikeys
from surveyapp.web.api.openapi import document
from surveyapp.web.database import get_db
from surveyapp.web.errors import error_response

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_BODY = 1024 * 1024


class ApiError(Exception):
    """An error answered as JSON with its status."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: list | None = None,
        headers: dict | None = None,
    ):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details, self.headers = details or [], headers or {}


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)


@bp.before_request
def _authenticate():
    request.max_content_length = MAX_BODY
    if request.endpoint == "api.openapi":
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    found = apikeys.authenticate(get_db(), key.strip()) if scheme.lower() == "bearer" else None
    if found is None:
        raise ApiError(
            401,
            "unauthorized",
            "A valid API key is needed: "
            "Authorization: Bearer <key> (surveyapp apikey create NAME).",
            headers={"WWW-Authenticate": 'Bearer realm="surveyapp"'},
        )
    g.api_key = found
    rate = float(current_app.config["API_RATE_PER_SECOND"])
    if rate > 0:
        burst = float(current_app.config["API_BURST"])
        left = storage.take_token(get_db(), found["id"], rate=rate, burst=burst, now=time.time())
        if left < 0:
            wait = max(1, math.ceil(-left / rate))
            raise ApiError(
                429,
                "rate_limited",
                f"Too many requests for this key: at most "
                f"{rate:g} per second (bursts of {burst:g}).",
                headers={"Retry-After": str(wait)},
            )
    return None


def json_body() -> Any:
    """The request's JSON body, or a 415/400 error that says what is wrong."""
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", "Send JSON (Content-Type: application/json).")
    try:
        text = (request.get_data(cache=True) or b"null").decode("utf-8")
        if json_too_deep(text):
            raise ValueError(f"arrays and objects nest more than {MAX_NESTING} levels deep")
        return json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, "invalid_json", f"The body is not valid JSON: {exc}") from None


def day_arg(name: str) -> date | None:
    """The query argument ``name`` as a date, or None; a 422 error if it is not one."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(
            422,
            "invalid_parameter",
            f"{name} must be a date YYYY-MM-DD",
            [{"path": name, "reason": f"'{raw}' is not a date YYYY-MM-DD"}],
        ) from None


@bp.get("/openapi.json")
def openapi():
    return jsonify(document(current_app.config["BASE_URL"]))


def journey_or_404(journey_id: str):
    """The stored journey, or a 404 error."""
    journey = storage.get_journey(get_db(), journey_id)
    if journey is None:
        raise ApiError(404, "not_found", f"No journey '{journey_id}'.")
    return journey
