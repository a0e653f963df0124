"""Webhook endpoints, and the outbox of events written in each response's transaction."""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from surveyapp.domain.vocabulary import WEBHOOK_EVENTS
from surveyapp.storage.database import iso, records, utcnow

ENDPOINT_COLUMNS = ("id", "journey_id", "url", "secret", "events", "created_at")


def add_webhook(db: Database, journey_id: str, url: str, secret: str, events: list[str]) -> int:
    with db.atomic():
        return db.execute(
            "INSERT INTO webhook_endpoints (journey_id, url, secret, events, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [journey_id, url, secret, ",".join(events), iso(utcnow())],
        ).lastrowid


def list_webhooks(db: Database, journey_id: str | None = None) -> list[dict[str, Any]]:
    if journey_id:
        return records(
            db,
            "webhook_endpoints",
            ENDPOINT_COLUMNS,
            "WHERE journey_id = ? ORDER BY id",
            [journey_id],
        )
    return records(db, "webhook_endpoints", ENDPOINT_COLUMNS, "ORDER BY id")


def remove_webhook(db: Database, endpoint_id: int) -> bool:
    with db.atomic():
        db.execute(
            "DELETE FROM webhook_outbox WHERE endpoint_id = ? AND delivered_at IS NULL",
            [endpoint_id],
        )
        return db.execute("DELETE FROM webhook_endpoints WHERE id = ?", [endpoint_id]).rowcount > 0


def queue_webhooks(db: Database, journey_id: str, polarity: str, data: dict) -> None:
    """Write the response's events to the outbox, in the response's own transaction."""
    endpoints = db.execute(
        "SELECT id, events FROM webhook_endpoints WHERE journey_id = ?", [journey_id]
    ).fetchall()
    if not endpoints:
        return
    now = iso(utcnow())
    for endpoint_id, events in endpoints:
        wanted = events.split(",")
        for event in WEBHOOK_EVENTS:
            if event not in wanted or (event == "response.negative" and polarity != "negative"):
                continue
            payload = json.dumps(
                {"type": event, "timestamp": now, "data": data},
                ensure_ascii=False,
                separators=(",", ":"),
            )
            db.execute(
                "INSERT INTO webhook_outbox (endpoint_id, message_id, event, payload, "
                "created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?)",
                [endpoint_id, "msg_" + secrets.token_urlsafe(16), event, payload, now, now],
            )


def due_deliveries(db: Database, now: datetime, limit: int = 100) -> list[dict[str, Any]]:
    rows = db.execute(
        "SELECT o.id, o.message_id, o.event, o.payload, o.attempts, e.url, e.secret "
        "FROM webhook_outbox o JOIN webhook_endpoints e ON e.id = o.endpoint_id "
        "WHERE o.delivered_at IS NULL AND o.failed_at IS NULL AND o.next_attempt_at <= ? "
        "ORDER BY o.next_attempt_at, o.id LIMIT ?",
        [iso(now), limit],
    )
    keys = ("id", "message_id", "event", "payload", "attempts", "url", "secret")
    return [dict(zip(keys, r, strict=True)) for r in rows]


def mark_delivery(
    db: Database,
    outbox_id: int,
    *,
    delivered: bool,
    error: str | None = None,
    retry_at: datetime | None = None,
) -> None:
    """Record an attempt: delivered, to be retried at ``retry_at``, or failed for good."""
    with db.atomic():
        if delivered:
            db.execute(
                "UPDATE webhook_outbox SET delivered_at = ?, attempts = attempts + 1, "
                "last_error = NULL WHERE id = ?",
                [iso(utcnow()), outbox_id],
            )
        elif retry_at is not None:
            db.execute(
                "UPDATE webhook_outbox SET attempts = attempts + 1, last_error = ?, "
                "next_attempt_at = ? WHERE id = ?",
                [error, iso(retry_at), outbox_id],
            )
        else:
            db.execute(
                "UPDATE webhook_outbox SET attempts = attempts + 1, last_error = ?, "
                "failed_at = ? WHERE id = ?",
                [error, iso(utcnow()), outbox_id],
            )
