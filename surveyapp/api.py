"""REST API for the company's systems: /api/v1, JSON in and out, Bearer API keys.

Every error is ``{"error": {"code", "message", "details"}}`` with a 4xx status; a
journey definition's problems are listed by path, as the CLI lists them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import time
from datetime import date
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request

from surveyapp import apikeys, invitations, mailer, scoring, storage
from surveyapp.journeys import DefinitionError, parse_definition
from surveyapp.openapi import document
from surveyapp.surveys import survey_for
from surveyapp.web import get_db

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_BODY = 1024 * 1024
MAX_BATCH = 1000
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
INVITATION_FIELDS = {"journey", "moment", "customer", "email", "locale", "send"}


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


def error_response(status: int, code: str, message: str, details=None, headers=None):
    response = jsonify({"error": {"code": code, "message": message, "details": details or []}})
    response.status_code = status
    response.headers.update(headers or {})
    return response


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


def _json_body() -> Any:
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", "Send JSON (Content-Type: application/json).")
    try:
        return json.loads(request.get_data(cache=True) or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, "invalid_json", f"The body is not valid JSON: {exc}") from None


def _day(name: str) -> date | None:
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


# --- journeys ----------------------------------------------------------------------------


@bp.post("/journeys")
def load_journey():
    content_type = (request.mimetype or "").lower()
    if content_type == "application/json":
        fmt = "json"
    elif content_type in YAML_TYPES:
        fmt = "yaml"
    else:
        raise ApiError(
            415,
            "unsupported_media_type",
            "Send a definition as application/json or application/yaml.",
        )
    try:
        journey = parse_definition(request.get_data(), fmt)
    except DefinitionError as exc:
        raise ApiError(
            422,
            "invalid_definition",
            "The journey definition is not valid; nothing was stored.",
            [{"path": str(p.path), "reason": p.reason} for p in exc.problems],
        ) from None
    (report,) = storage.store_journeys(get_db(), [journey])
    body = {
        "journey": journey.id,
        "status": report.status,
        "added": report.added,
        "changed": report.changed,
        "retired": report.retired,
        "restored": report.restored,
    }
    return jsonify(body), 201 if report.status == "created" else 200


def _journey_json(journey, retired) -> dict[str, Any]:
    def moment(m, is_retired):
        return {
            **m.to_dict(),
            "questions": [q.key for q in survey_for(journey, m).questions],
            "retired": is_retired,
        }

    return {
        "id": journey.id,
        "brand": journey.brand,
        "default_locale": journey.default_locale,
        "locales": list(journey.locales),
        "moments": [moment(m, False) for m in journey.moments] + [moment(m, True) for m in retired],
    }


@bp.get("/journeys")
def list_journeys():
    rows = storage.list_journeys(get_db())
    return jsonify(
        {
            "journeys": [
                {
                    "id": r["id"],
                    "brand": r["brand"],
                    "default_locale": r["default_locale"],
                    "locales": json.loads(r["locales"]),
                    "moments": r["moments"],
                    "responses": r["responses"],
                    "last_response_at": r["last_response_at"],
                }
                for r in rows
            ]
        }
    )


def _journey_or_404(journey_id: str):
    journey = storage.get_journey(get_db(), journey_id)
    if journey is None:
        raise ApiError(404, "not_found", f"No journey '{journey_id}'.")
    return journey


@bp.get("/journeys/<journey_id>")
def get_journey(journey_id: str):
    journey = _journey_or_404(journey_id)
    return jsonify(_journey_json(journey, storage.retired_moments(get_db(), journey.id)))


@bp.get("/journeys/<journey_id>/scores")
def scores(journey_id: str):
    journey = _journey_or_404(journey_id)
    since, until = _day("since"), _day("until")
    locale = request.args.get("locale") or None
    if locale is not None and locale not in ("fr", "ro", "en"):
        raise ApiError(
            422,
            "invalid_parameter",
            "locale is one of fr, ro, en",
            [{"path": "locale", "reason": f"'{locale}' is not fr, ro or en"}],
        )
    db = get_db()
    tallies = storage.moment_tallies(db, journey.id, since=since, until=until, locale=locale)
    results = scoring.journey_scores(journey, storage.retired_moments(db, journey.id), tallies)
    return jsonify({"journey": journey.id, "moments": [s.to_dict() for s in results]})


# --- invitations -------------------------------------------------------------------------


def _check_item(item: Any, path: str, problems: list[dict]) -> None:
    def problem(field, reason):
        problems.append({"path": f"{path}.{field}" if field else path, "reason": reason})

    if not isinstance(item, dict):
        problem("", "must be an object with journey, moment and customer")
        return
    for key in item:
        if key not in INVITATION_FIELDS:
            problem(key, f"unknown field (expected {', '.join(sorted(INVITATION_FIELDS))})")
    for key in ("journey", "moment", "customer"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            problem(key, "is required (a non-empty string)")
    for key in ("email", "locale"):
        if item.get(key) is not None and not isinstance(item[key], str):
            problem(key, "must be a string")
    if "send" in item and not isinstance(item["send"], bool):
        problem("send", "must be true or false")
    if problems and problems[-1]["path"].startswith(path):
        return
    reason = invitations.check_request(item["customer"].strip(), item.get("email"))
    if reason:
        problem("email" if "email" in reason else "customer", reason)
    journey = storage.get_journey(get_db(), item["journey"])
    if journey is None:
        problem("journey", f"no journey '{item['journey']}'")
    elif journey.moment(item["moment"]) is None:
        problem("moment", f"journey '{journey.id}' has no moment '{item['moment']}'")


@bp.post("/invitations")
def create_invitations():
    raw = request.get_data(cache=True)
    body = _json_body()
    single = not (isinstance(body, dict) and "invitations" in body)
    items = [body] if single else body["invitations"]
    if not single and (not isinstance(items, list) or not 1 <= len(items) <= MAX_BATCH):
        raise ApiError(
            422,
            "invalid_batch",
            f"invitations must be a list of 1 to {MAX_BATCH}",
            [{"path": "invitations", "reason": "must be a list of 1 to 1000"}],
        )
    problems: list[dict] = []
    for index, item in enumerate(items):
        _check_item(item, "body" if single else f"invitations[{index}]", problems)
    if problems:
        raise ApiError(
            422, "invalid_invitations", "Nothing was created: fix these first.", problems
        )
    smtp = None
    if any(item.get("send") for item in items):
        try:
            smtp = mailer.SmtpSettings.from_config(current_app.config)
        except mailer.MailConfigError as exc:
            raise ApiError(422, "mail_not_configured", f"Cannot send: {exc}") from None

    db = get_db()
    idempotency_key = request.headers.get("Idempotency-Key")
    if idempotency_key is None:
        results = _create(db, items)  # one transaction of its own
        status = 201 if any(r["status"] == "created" for r in results) else 200
    else:
        if len(idempotency_key) > 200:
            raise ApiError(
                422, "invalid_idempotency_key", "Idempotency-Key is at most 200 characters."
            )
        request_hash = hashlib.sha256(raw).hexdigest()
        # One request per key at a time: a retry racing the first waits, then sees it.
        with storage.immediate(db):
            earlier = storage.get_idempotent(db, g.api_key["id"], idempotency_key)
            if earlier:
                if earlier[0] != request_hash:
                    raise ApiError(
                        422,
                        "idempotency_key_reused",
                        "This Idempotency-Key was used for a different request.",
                    )
                response = current_app.response_class(
                    earlier[2], status=earlier[1], mimetype="application/json"
                )
                response.headers["Idempotent-Replayed"] = "true"
                return response
            results = _create(db, items)
            status = 201 if any(r["status"] == "created" for r in results) else 200
            storage.save_idempotent(
                db,
                g.api_key["id"],
                idempotency_key,
                request_hash,
                status,
                json.dumps(_shape(results, single)),
            )
    if smtp:
        _send(db, items, results, smtp)
        if idempotency_key:
            with db.atomic():
                db.execute(
                    "UPDATE idempotency SET body = ? WHERE key_id = ? AND idempotency_key = ?",
                    [json.dumps(_shape(results, single)), g.api_key["id"], idempotency_key],
                )
    return jsonify(_shape(results, single)), status


def _shape(results: list[dict], single: bool) -> dict:
    return results[0] if single else {"results": results}


def _create(db, items: list[dict]) -> list[dict]:
    """Create the invitations, grouped by journey and moment; results in request order."""
    groups: dict[tuple[str, str], list[int]] = {}
    for index, item in enumerate(items):
        groups.setdefault((item["journey"], item["moment"]), []).append(index)
    results: list[dict] = [{} for _ in items]
    config = current_app.config
    for (journey_id, moment_id), indexes in groups.items():
        journey = storage.get_journey(db, journey_id)
        requests = [
            invitations.Request(
                items[i]["customer"].strip(), items[i].get("email"), items[i].get("locale")
            )
            for i in indexes
        ]
        outcomes = invitations.create_from_config(db, journey, moment_id, requests, config)
        for index, outcome in zip(indexes, outcomes, strict=True):
            if outcome.status == "created":
                results[index] = {
                    "status": "created",
                    "customer": outcome.request.customer,
                    "token": outcome.token,
                    "url": outcome.link,
                    "locale": outcome.locale,
                    "expires_at": outcome.expires_at,
                    "sent": False,
                    "warnings": outcome.warnings,
                }
            else:
                results[index] = {
                    "status": "skipped",
                    "customer": outcome.request.customer,
                    "reason": outcome.reason,
                }
    return results


def _send(db, items, results, smtp) -> None:
    wanted = {
        r["token"]: r
        for item, r in zip(items, results, strict=True)
        if item.get("send") and item.get("email") and r["status"] == "created"
    }
    report = mailer.send_created(
        db, list(wanted), settings=smtp, base_url=current_app.config["BASE_URL"]
    )
    for token, result in wanted.items():
        result["sent"] = token in report.sent_tokens


# --- responses ---------------------------------------------------------------------------


def _cursor(after_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": after_id}).encode()).decode()


def _after(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        after = json.loads(base64.urlsafe_b64decode(cursor.encode()))["after"]
        if not isinstance(after, int) or after < 0:
            raise ValueError
        return after
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ApiError(400, "invalid_cursor", "The cursor is not one this API gave.") from None


@bp.get("/responses")
def responses():
    limit_raw = request.args.get("limit", "100")
    if not limit_raw.isdigit() or not 1 <= int(limit_raw) <= 1000:
        raise ApiError(
            422,
            "invalid_parameter",
            "limit is a whole number from 1 to 1000",
            [{"path": "limit", "reason": f"'{limit_raw}' is not 1 to 1000"}],
        )
    limit = int(limit_raw)
    journey_id = request.args.get("journey") or None
    if journey_id is not None:
        _journey_or_404(journey_id)
    page = storage.response_page(
        get_db(),
        journey_id=journey_id,
        since=_day("since"),
        after_id=_after(request.args.get("cursor")),
        limit=limit + 1,
    )
    more = len(page) > limit
    page = page[:limit]
    for row in page:
        row["journey"] = row.pop("journey_id")
        row["moment"] = row.pop("moment_id")
        row["customer"] = row.pop("customer_ref")
    return jsonify({"responses": page, "next_cursor": _cursor(page[-1]["id"]) if more else None})
