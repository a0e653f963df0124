"""Webhook endpoints, and the outbox of events written in each response's transaction."""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from surveyapp.domain.vocabulary import PAIN_SHARE_EVENT, RESPONSE_EVENTS, Polarity, WebhookFormat
from surveyapp.storage.database import Database, iso, utcnow
from surveyapp.storage.statements import execute, insert, prepared, records, row, rows, value
from surveyapp.storage.tables import pain_alerts, webhook_endpoints, webhook_outbox
from surveyapp.storage.transactions import transaction

#: How long a claimed delivery is left to the node that claimed it; if that node dies,
#: another sends it after this (receivers deduplicate by ``webhook-id``).
CLAIM_LEASE = timedelta(minutes=2)


def add_webhook(
    db: Database,
    journey_id: str,
    url: str,
    secret: str,
    events: list[str],
    *,
    format: str = WebhookFormat.STANDARD,
    pain_threshold: int | None = None,
) -> int:
    """Add an endpoint; ``pain_threshold`` (percent) is the pain share above which it
    hears about a moment, when it asked for that event."""
    with transaction(db):
        return value(
            db,
            sa.insert(webhook_endpoints)
            .values(
                journey_id=journey_id,
                url=url,
                secret=secret,
                events=",".join(events),
                created_at=iso(utcnow()),
                format=format,
                pain_threshold=pain_threshold,
            )
            .returning(webhook_endpoints.c.id),
        )


def list_webhooks(db: Database, journey_id: str | None = None) -> list[dict[str, Any]]:
    e = webhook_endpoints.c
    statement = sa.select(
        e.id, e.journey_id, e.url, e.secret, e.events, e.created_at, e.format, e.pain_threshold
    )
    if journey_id:
        statement = statement.where(e.journey_id == journey_id)
    return records(db, statement.order_by(e.id))


def remove_webhook(db: Database, endpoint_id: int) -> bool:
    o = webhook_outbox.c
    with transaction(db):
        execute(
            db,
            sa.delete(webhook_outbox).where(o.endpoint_id == endpoint_id, o.delivered_at.is_(None)),
        )
        execute(db, sa.delete(pain_alerts).where(pain_alerts.c.endpoint_id == endpoint_id))
        removed = execute(
            db, sa.delete(webhook_endpoints).where(webhook_endpoints.c.id == endpoint_id)
        )
        return removed > 0


_ENDPOINTS_OF = prepared(
    sa.select(webhook_endpoints.c.id, webhook_endpoints.c.events).where(
        webhook_endpoints.c.journey_id == sa.bindparam("journey")
    )
)


def _outbox_row(endpoint_id: int, event: str, now: str, data: dict) -> dict[str, Any]:
    payload = json.dumps(
        {"type": event, "timestamp": now, "data": data},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return {
        "endpoint_id": endpoint_id,
        "message_id": "msg_" + secrets.token_urlsafe(16),
        "event": event,
        "payload": payload,
        "created_at": now,
        "next_attempt_at": now,
    }


def queue_webhooks(db: Database, journey_id: str, polarity: str, data: dict) -> None:
    """Write the response's events to the outbox, in the response's own transaction."""
    endpoints = rows(db, _ENDPOINTS_OF, {"journey": journey_id})
    if not endpoints:
        return
    now = iso(utcnow())
    events = [
        _outbox_row(endpoint["id"], event, now, data)
        for endpoint in endpoints
        for event in RESPONSE_EVENTS
        if event in endpoint["events"].split(",")
        and (event != "response.negative" or polarity == Polarity.NEGATIVE)
    ]
    if events:
        execute(db, sa.insert(webhook_outbox), events)


def queue_event(db: Database, journey_id: str, event: str, data: dict) -> None:
    """Write one event of a journey to the outbox of every endpoint that asked for it, in
    the caller's transaction (the change and its event are kept together or not at all)."""
    now = iso(utcnow())
    events = [
        _outbox_row(endpoint["id"], event, now, data)
        for endpoint in rows(db, _ENDPOINTS_OF, {"journey": journey_id})
        if event in endpoint["events"].split(",")
    ]
    if events:
        execute(db, sa.insert(webhook_outbox), events)


def pain_threshold_endpoints(db: Database) -> list[dict[str, Any]]:
    """The endpoints that asked to hear about moments above a pain share: id, journey,
    threshold (percent)."""
    e = webhook_endpoints.c
    found = records(
        db,
        sa.select(e.id, e.journey_id, e.pain_threshold, e.events)
        .where(e.pain_threshold.is_not(None))
        .order_by(e.id),
    )
    return [f for f in found if PAIN_SHARE_EVENT in f["events"].split(",")]


def queue_pain_alert(
    db: Database, endpoint_id: int, moment_id: str, data: dict, *, now: datetime, quiet: timedelta
) -> bool:
    """Queue a pain-share event of a moment to an endpoint, unless that moment was
    reported to it within ``quiet``: True if queued. The mark and the event are written
    together, and the mark's conditional upsert lets one node only report a moment
    (on PostgreSQL a second node's upsert waits for the first, then changes nothing)."""
    a = pain_alerts.c
    with transaction(db):
        upsert = insert(db, pain_alerts).values(
            endpoint_id=endpoint_id, moment_id=moment_id, alerted_at=iso(now)
        )
        # RETURNING, not a row count: psycopg counts -1 for an upsert.
        marked = value(
            db,
            upsert.on_conflict_do_update(
                index_elements=[a.endpoint_id, a.moment_id],
                set_={"alerted_at": upsert.excluded.alerted_at},
                where=a.alerted_at <= iso(now - quiet),
            ).returning(a.endpoint_id),
        )
        if marked is not None:
            execute(
                db,
                sa.insert(webhook_outbox),
                [_outbox_row(endpoint_id, PAIN_SHARE_EVENT, iso(now), data)],
            )
        return marked is not None


def claim_deliveries(
    db: Database, now: datetime, limit: int = 100, per_endpoint: int = 10
) -> list[dict[str, Any]]:
    """Take up to ``limit`` due deliveries for this node, the oldest first but at most
    ``per_endpoint`` of each endpoint (a receiver's backlog never fills a round): each
    is leased (its next attempt moved :data:`CLAIM_LEASE` ahead) in the transaction
    that picks it, so nodes running side by side never send one event twice. On
    PostgreSQL the pick skips rows another node is claiming at that instant (FOR UPDATE
    SKIP LOCKED), endpoint by endpoint."""
    o, e = webhook_outbox.c, webhook_endpoints.c
    due = (o.delivered_at.is_(None), o.failed_at.is_(None), o.next_attempt_at <= iso(now))
    with transaction(db):
        endpoints = rows(
            db,
            sa.select(o.endpoint_id)
            .where(*due)
            .group_by(o.endpoint_id)
            .order_by(sa.func.min(o.next_attempt_at))
            .limit(limit),
        )
        claimed: list[dict[str, Any]] = []
        for endpoint in endpoints:
            if len(claimed) >= limit:
                break
            claimed += records(
                db,
                sa.select(
                    o.id,
                    o.endpoint_id,
                    o.message_id,
                    o.event,
                    o.payload,
                    o.attempts,
                    e.url,
                    e.secret,
                    e.format,
                    e.journey_id,
                )
                .join_from(webhook_outbox, webhook_endpoints, e.id == o.endpoint_id)
                .where(*due, o.endpoint_id == endpoint["endpoint_id"])
                .order_by(o.next_attempt_at, o.id)
                .limit(min(per_endpoint, limit - len(claimed)))
                .with_for_update(skip_locked=True, of=webhook_outbox),
            )
        if claimed:
            execute(
                db,
                sa.update(webhook_outbox)
                .where(o.id.in_([item["id"] for item in claimed]))
                .values(next_attempt_at=iso(now + CLAIM_LEASE)),
            )
    return claimed


def release_deliveries(db: Database, outbox_ids: list[int], now: datetime) -> None:
    """Make claimed deliveries due again at once (their round ended before their turn)."""
    if outbox_ids:
        with transaction(db):
            execute(
                db,
                sa.update(webhook_outbox)
                .where(webhook_outbox.c.id.in_(outbox_ids))
                .values(next_attempt_at=iso(now)),
            )


def mark_delivery(
    db: Database,
    outbox_id: int,
    *,
    delivered: bool,
    error: str | None = None,
    retry_at: datetime | None = None,
) -> None:
    """Record an attempt: delivered, to be retried at ``retry_at``, or failed for good."""
    o = webhook_outbox.c
    if delivered:
        values = {"delivered_at": iso(utcnow()), "last_error": None}
    elif retry_at is not None:
        values = {"last_error": error, "next_attempt_at": iso(retry_at)}
    else:
        values = {"last_error": error, "failed_at": iso(utcnow())}
    with transaction(db):
        execute(
            db,
            sa.update(webhook_outbox)
            .where(o.id == outbox_id)
            .values(attempts=o.attempts + 1, **values),
        )


def deliveries(db: Database, endpoint_id: int, limit: int = 50) -> list[dict[str, Any]]:
    """An endpoint's latest deliveries, newest first: event, attempts, outcome, next try."""
    o = webhook_outbox.c
    return records(
        db,
        sa.select(
            o.id,
            o.event,
            o.created_at,
            o.attempts,
            o.next_attempt_at,
            o.delivered_at,
            o.failed_at,
            o.last_error,
        )
        .where(o.endpoint_id == endpoint_id)
        .order_by(o.id.desc())
        .limit(limit),
    )


def retry_delivery(db: Database, endpoint_id: int, outbox_id: int) -> bool:
    """Make an undelivered delivery of this endpoint due now (a failed one again too);
    False if there is no such delivery or it was delivered."""
    o = webhook_outbox.c
    with transaction(db):
        changed = execute(
            db,
            sa.update(webhook_outbox)
            .where(o.id == outbox_id, o.endpoint_id == endpoint_id, o.delivered_at.is_(None))
            .values(next_attempt_at=iso(utcnow()), failed_at=None),
        )
        return changed > 0


def queue_test(db: Database, endpoint_id: int, data: dict) -> None:
    """Queue a test event to one endpoint, whatever events it asked for."""
    with transaction(db):
        execute(
            db,
            sa.insert(webhook_outbox),
            [_outbox_row(endpoint_id, "webhook.test", iso(utcnow()), data)],
        )


def queue_state(db: Database) -> dict[str, Any]:
    """The outbox at a glance: deliveries waiting (due or to be retried), since when the
    oldest waits, and those set aside after their last attempt (not retried unless an
    admin asks)."""
    o = webhook_outbox.c
    waiting = row(
        db,
        sa.select(sa.func.count().label("count"), sa.func.min(o.created_at).label("oldest")).where(
            o.delivered_at.is_(None), o.failed_at.is_(None)
        ),
    )
    set_aside = value(
        db,
        sa.select(sa.func.count()).where(o.delivered_at.is_(None), o.failed_at.is_not(None)),
    )
    return {"waiting": waiting["count"], "oldest_at": waiting["oldest"], "set_aside": set_aside}
