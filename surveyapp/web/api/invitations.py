"""Creating personal invitations through the API, one or a batch, optionally emailed."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, g, request

from surveyapp import storage
from surveyapp.domain.errors import Invalid
from surveyapp.services import invitation_csv, invitations, mailer
from surveyapp.web.api.base import bp, idempotent, json_body, replayable
from surveyapp.web.database import get_db

MAX_BATCH = 1000
INVITATION_FIELDS = {"journey", "moment", "customer", "email", "locale", "send"}


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
    why = invitation_csv.check_request(item["customer"].strip(), item.get("email"))
    if why:
        problem("email" if "email" in why.id else "customer", str(why))
    journey = storage.journeys.get_journey(get_db(), item["journey"])
    if journey is None:
        problem("journey", f"no journey '{item['journey']}'")
    elif journey.moment(item["moment"]) is None:
        problem("moment", f"journey '{journey.id}' has no moment '{item['moment']}'")


@bp.post("/invitations")
def create_invitations():
    body = json_body()
    single = not (isinstance(body, dict) and "invitations" in body)
    items = [body] if single else body["invitations"]
    if not single and (not isinstance(items, list) or not 1 <= len(items) <= MAX_BATCH):
        raise Invalid(
            f"invitations must be a list of 1 to {MAX_BATCH}",
            code="invalid_batch",
            problems=[{"path": "invitations", "reason": "must be a list of 1 to 1000"}],
        )
    problems: list[dict] = []
    for index, item in enumerate(items):
        _check_item(item, "body" if single else f"invitations[{index}]", problems)
    if problems:
        raise Invalid(
            "Nothing was created: fix these first.", code="invalid_invitations", problems=problems
        )
    smtp = None
    if any(item.get("send") for item in items):
        try:
            smtp = mailer.SmtpSettings.from_config(current_app.config)
        except mailer.MailConfigError as exc:
            raise Invalid(f"Cannot send: {exc}", code="mail_not_configured") from None

    db = get_db()
    made: list[dict] = []

    def create() -> tuple[dict, int]:
        made[:] = _create(db, items)  # one transaction of its own, or the key's
        status = 201 if any(r["status"] == "created" for r in made) else 200
        return _shape(made, single), status

    body, status, replayed = idempotent(create)
    if smtp and not replayed:
        _send(db, items, made, smtp)
        body = _shape(made, single)
        if request.headers.get("Idempotency-Key") is not None:
            storage.apikeys.update_idempotent(
                db, g.api_key["id"], request.headers["Idempotency-Key"], json.dumps(body)
            )
    return replayable(body, status, replayed)


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
        journey = storage.journeys.get_journey(db, journey_id)
        requests = [
            invitation_csv.Request(
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
                    "warnings": [str(w) for w in outcome.warnings],
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
