"""Links to set a password asked for from the login page, waiting for the sending worker,
which makes each link as it sends it: one per account, leased as the other queues are
(on PostgreSQL the pick skips rows another node is taking, FOR UPDATE SKIP LOCKED);
sent, it leaves; failed, it is due again later or set aside with its reason."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from surveyapp.storage.database import Database, iso
from surveyapp.storage.statements import execute, insert, queue_counts, records
from surveyapp.storage.tables import reset_requests
from surveyapp.storage.transactions import transaction

#: How long a taken request is left to the worker that took it before another takes it.
LEASE = timedelta(minutes=2)


def ask(db: Database, user_id: int, *, locale: str, now: datetime) -> None:
    """Ask for a link for this account, due now (nothing more if one is waiting)."""
    with transaction(db):
        execute(
            db,
            insert(db, reset_requests)
            .values(user_id=user_id, locale=locale, asked_at=iso(now), next_attempt_at=iso(now))
            .on_conflict_do_nothing(index_elements=["user_id"]),
        )


def take(db: Database, now: datetime, *, limit: int) -> list[dict[str, Any]]:
    """Lease up to ``limit`` due requests, each attempt counted."""
    r = reset_requests.c
    with transaction(db):
        found = records(
            db,
            sa.select(reset_requests)
            .where(r.next_attempt_at <= iso(now))
            .order_by(r.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True),
        )
        if found:
            execute(
                db,
                sa.update(reset_requests)
                .where(r.user_id.in_([f["user_id"] for f in found]))
                .values(next_attempt_at=iso(now + LEASE), attempts=r.attempts + 1),
            )
    for f in found:
        f["attempts"] += 1
    return found


def done(db: Database, user_id: int) -> None:
    """The request was answered (sent, or its account can no longer have a link)."""
    with transaction(db):
        execute(db, sa.delete(reset_requests).where(reset_requests.c.user_id == user_id))


def failed(db: Database, user_id: int, *, error: str, again: datetime | None) -> None:
    """An attempt failed because of ``error``: due again at ``again``, or set aside."""
    with transaction(db):
        execute(
            db,
            sa.update(reset_requests)
            .where(reset_requests.c.user_id == user_id)
            .values(last_error=error, next_attempt_at=iso(again) if again else None),
        )


def queue_state(db: Database) -> dict[str, Any]:
    """Password links waiting for the sending worker, since when the oldest waits, how
    many are set aside."""
    return queue_counts(db, reset_requests, "asked_at")
