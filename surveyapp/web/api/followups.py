"""Follow-ups of moments of pain through the API: list them with the inbox's filters,
read one with its history, change its status, owner or note (a stale revision is
refused, an Idempotency-Key replays a retry)."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify, request

from surveyapp import storage
from surveyapp.domain.errors import Conflict, Invalid, NotFound
from surveyapp.domain.inbox import due_at, is_overdue, read_filters
from surveyapp.services import inbox as inbox_job
from surveyapp.web.api import inputs
from surveyapp.web.api.base import bp, idempotent, journey_or_404, json_body, replayable
from surveyapp.web.database import get_db


def _invalid(name: str, reason: str) -> Invalid:
    return Invalid(
        f"{name}: {reason}", code="invalid_parameter", problems=[{"path": name, "reason": reason}]
    )


def _item_json(row: dict[str, Any], journey_id: str, hours: int, now) -> dict[str, Any]:
    created = storage.parse_iso(row["created_at"])
    return {
        "id": row["response_id"],
        "journey": journey_id,
        "moment": row["moment_id"],
        "status": row["status"],
        "owner": row["owner"],
        "note": row["note"],
        "revision": row["revision"],
        "created_at": row["created_at"],
        "due_at": storage.iso(due_at(created, hours)),
        "overdue": is_overdue(row["status"], created, hours, now),
        "updated_at": row["updated_at"],
        "updated_by": row["updated_by"],
        "resolved_at": row.get("resolved_at"),
        "channel": row["channel"],
        "locale": row["locale"],
        "customer": row["customer_ref"],
        "contact": row["contact"],
        "answers": row["answers"],
    }


@bp.get("/journeys/<journey_id>/followups")
def list_followups(journey_id: str):
    journey = journey_or_404(journey_id)
    db = get_db()
    asked = inputs.query(inputs.FollowupsQuery, request.args)
    moments = [m.id for m in [*journey.moments, *storage.journeys.retired_moments(db, journey.id)]]
    filters = read_filters(request.args, moments, inbox_job.owners(db))
    # The browser's inbox drops a moment or owner it does not know; a program is told.
    for name in ("moment", "owner"):
        if asked.get(name) is not None and getattr(filters, name) != asked[name]:
            raise _invalid(name, f"'{asked[name]}' is not one of its values")
    limit = asked["limit"]
    now, hours = storage.utcnow(), storage.inbox.target_hours(db, journey.id)
    rows, total = storage.inbox.inbox_page(
        db, journey.id, filters, now=now, target_hours=hours, page_size=limit
    )
    return jsonify(
        {
            "followups": [_item_json(row, journey.id, hours, now) for row in rows],
            "total": total,
            "page": filters.page,
            "pages": max(1, -(-total // limit)),
        }
    )


def _found(db, journey_id: str, response_id: int) -> dict[str, Any]:
    found = storage.inbox.followup_item(db, journey_id, response_id)
    if found is None:
        raise NotFound(f"No follow-up {response_id} in journey '{journey_id}'.")
    return found


def _one(db, journey_id: str, response_id: int) -> dict[str, Any]:
    found = _found(db, journey_id, response_id)
    body = _item_json(
        found, journey_id, storage.inbox.target_hours(db, journey_id), storage.utcnow()
    )
    body["history"] = storage.inbox.history(db, response_id)
    return body


@bp.get("/journeys/<journey_id>/followups/<int:followup_id>")
def get_followup(journey_id: str, followup_id: int):
    journey = journey_or_404(journey_id)
    return jsonify(_one(get_db(), journey.id, followup_id))


def _changes(body: Any, owners: list[str]) -> dict[str, Any]:
    """The changes a PATCH body asks for (inputs.FollowupChangeBody), every problem at
    once as a 422."""
    if not isinstance(body, dict) or not body:
        raise Invalid("Send an object with status, owner or note.", code="invalid_followup")
    refused = "Nothing was changed: fix these first."
    body = inputs.load(inputs.FollowupChangeBody(), body, code="invalid_followup", message=refused)
    if body.get("owner") is not None and body["owner"] not in owners:
        problem = {"path": "owner", "reason": "not an admin of this service, nor null"}
        raise Invalid(refused, code="invalid_followup", problems=[problem])
    changes = {k: body[k] for k in ("status", "owner", "revision") if k in body}
    if "note" in body:
        changes["note"] = (body["note"] or "").replace("\x00", "").strip() or None
    return changes


@bp.patch("/journeys/<journey_id>/followups/<int:followup_id>")
def update_followup(journey_id: str, followup_id: int):
    response_id = followup_id
    journey = journey_or_404(journey_id)
    db = get_db()
    body = json_body()
    _found(db, journey.id, response_id)
    changes = _changes(body, inbox_job.owners(db))
    revision = changes.pop("revision", None)

    def change() -> tuple[dict, int]:
        try:
            storage.followups.update_followup(
                db,
                response_id,
                by=f"api:{g.api_key['name']}",
                journey_id=journey.id,
                revision=revision,
                **changes,
            )
        except storage.followups.StaleFollowup:
            raise Conflict(
                "The follow-up changed since that revision: read it again, then retry.",
                code="stale_revision",
            ) from None
        return _one(db, journey.id, response_id), 200

    return replayable(*idempotent(change))
