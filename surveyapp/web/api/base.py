"""The API's blueprint and what every endpoint shares: API-key authentication, the
per-key rate limit, request parsing. Errors are the service's (domain/errors.py),
answered as RFC 9457 problems by web/errors.py."""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request

from surveyapp import storage
from surveyapp.domain.errors import Invalid, NotFound, Refusal
from surveyapp.domain.json_input import load_json
from surveyapp.services import apikeys
from surveyapp.web.api.openapi import document
from surveyapp.web.database import get_db

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_BODY = 1024 * 1024


@bp.before_request
def _authenticate():
    request.max_content_length = MAX_BODY
    if request.endpoint in ("api.openapi", "api.reference"):
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    found = apikeys.authenticate(get_db(), key.strip()) if scheme.lower() == "bearer" else None
    if found is None:
        raise Refusal(
            "A valid API key is needed: Authorization: Bearer <key>. An admin makes keys "
            "in the browser, on the Integrations page (/admin/integrations), or with "
            "`surveyapp apikey create NAME`.",
            status=401,
            code="unauthorized",
            headers={"WWW-Authenticate": 'Bearer realm="surveyapp"'},
        )
    g.api_key = found
    rate = float(current_app.config["API_RATE_PER_SECOND"])
    if rate > 0:
        burst = float(current_app.config["API_BURST"])
        left = storage.apikeys.take_token(
            get_db(), found["id"], rate=rate, burst=burst, now=time.time()
        )
        if left < 0:
            wait = max(1, math.ceil(-left / rate))
            raise Refusal(
                f"Too many requests for this key: at most "
                f"{rate:g} per second (bursts of {burst:g}).",
                status=429,
                code="rate_limited",
                headers={"Retry-After": str(wait)},
            )
    return None


def json_body() -> Any:
    """The request's JSON body, or a 415/400 error that says what is wrong."""
    if not request.is_json:
        raise Refusal(
            "Send JSON (Content-Type: application/json).", status=415, code="unsupported_media_type"
        )
    try:
        return load_json((request.get_data(cache=True) or b"null").decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise Refusal(
            f"The body is not valid JSON: {exc}", status=400, code="invalid_json"
        ) from None


def idempotent(compute: Callable[[], tuple[Any, int]]) -> tuple[Any, int, bool]:
    """Run ``compute`` (which returns a JSON body and a status) once per Idempotency-Key
    of this API key: a retry of the same request gets the first answer again (replayed:
    True), a different request under the same key a 422. Without the header, it just
    runs. The first answer is kept in the transaction that ``compute`` changes things in,
    so an answer is kept exactly when its change is."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        body, status = compute()
        return body, status, False
    if len(key) > 200:
        raise Invalid("Idempotency-Key is at most 200 characters.", code="invalid_idempotency_key")
    db = get_db()
    request_hash = hashlib.sha256(request.get_data(cache=True)).hexdigest()
    # One request per key at a time: a retry racing the first waits, then sees it.
    with storage.transaction(db):
        storage.lock(db, f"idempotency:{g.api_key['id']}:{key}")
        earlier = storage.apikeys.get_idempotent(db, g.api_key["id"], key)
        if earlier:
            if earlier["request_hash"] != request_hash:
                raise Invalid(
                    "This Idempotency-Key was used for a different request.",
                    code="idempotency_key_reused",
                )
            return json.loads(earlier["body"]), earlier["status"], True
        body, status = compute()
        storage.apikeys.save_idempotent(
            db, g.api_key["id"], key, request_hash, status, json.dumps(body)
        )
    return body, status, False


def replayable(body: Any, status: int, replayed: bool):
    """The JSON response of :func:`idempotent`'s answer, marked when it is replayed."""
    response = jsonify(body)
    response.status_code = status
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@bp.get("/openapi.json")
def openapi():
    return jsonify(document(current_app.config["BASE_URL"]))


def journey_or_404(journey_id: str):
    """The stored journey, or a 404 error."""
    journey = storage.journeys.get_journey(get_db(), journey_id)
    if journey is None:
        raise NotFound(f"No journey '{journey_id}'.")
    return journey
