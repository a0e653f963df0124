"""Email digests: how far each has reported, the negative responses it has not, and
the failures of those that could not be sent."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from surveyapp.domain.vocabulary import Polarity
from surveyapp.storage.database import Database, iso, utcnow
from surveyapp.storage.statements import execute, insert, queue_counts, record, records, row, value
from surveyapp.storage.tables import digest_failures, digest_marks, responses
from surveyapp.storage.transactions import transaction


def negative_responses_after(
    db: Database,
    after_id: int,
    *,
    since: str | None = None,
    limit: int = 50,
    journey_id: str | None = None,
) -> tuple[list[dict[str, Any]], int, int]:
    """Negative responses with an id above ``after_id`` (and, with ``since``, created then
    or later), oldest first: at most ``limit`` of them, how many there are in all, and
    the highest id among them all (0 if none)."""
    r = responses.c
    where = [r.id > after_id, r.polarity == Polarity.NEGATIVE]
    if journey_id is not None:
        where.append(r.journey_id == journey_id)
    if since:
        where.append(r.created_at >= since)
    counted = row(
        db,
        sa.select(
            sa.func.count().label("total"), sa.func.coalesce(sa.func.max(r.id), 0).label("last")
        ).where(*where),
    )
    total, last_id = counted["total"], counted["last"]
    found = records(
        db,
        sa.select(r.id, r.journey_id, r.moment_id, r.created_at, r.answers, r.customer_ref)
        .where(*where)
        .order_by(r.id)
        .limit(limit),
    )
    for item in found:
        item["answers"] = json.loads(item["answers"])
    return found, total, last_id


def digest_mark(db: Database, name: str) -> int | None:
    """The last response the digest ``name`` reported, or None before its first one."""
    return value(db, sa.select(digest_marks.c.last_response_id).where(digest_marks.c.name == name))


def digest_sent_at(db: Database, name: str) -> str | None:
    """When the digest ``name`` was last sent, or None."""
    return value(db, sa.select(digest_marks.c.sent_at).where(digest_marks.c.name == name))


def set_digest_mark(db: Database, name: str, last_response_id: int) -> None:
    statement = insert(db, digest_marks).values(
        name=name, last_response_id=last_response_id, sent_at=iso(utcnow())
    )
    with transaction(db):
        execute(
            db,
            statement.on_conflict_do_update(
                index_elements=["name"],
                set_={
                    "last_response_id": statement.excluded.last_response_id,
                    "sent_at": statement.excluded.sent_at,
                },
            ),
        )


def failure(db: Database, name: str) -> dict[str, Any] | None:
    """The digest ``name``'s failures since it was last sent, or None."""
    return record(db, sa.select(digest_failures).where(digest_failures.c.name == name))


def record_failure(
    db: Database,
    name: str,
    *,
    error: str,
    now: datetime,
    retry_at: Callable[[int], datetime | None],
) -> int:
    """Count a failure of the digest ``name`` and why; it is tried again at
    ``retry_at(failures)``, or set aside when that is None. How many failures now."""
    with transaction(db):
        failures = 1 + (
            value(
                db,
                sa.select(digest_failures.c.failures).where(digest_failures.c.name == name),
            )
            or 0
        )
        again = retry_at(failures)
        values = {
            "failures": failures,
            "last_error": error[:1000],
            "failed_at": iso(now),
            "next_attempt_at": iso(again) if again else None,
        }
        statement = insert(db, digest_failures).values(name=name, **values)
        execute(db, statement.on_conflict_do_update(index_elements=["name"], set_=values))
    return failures


def forget_failures(db: Database, name: str) -> None:
    """The digest ``name`` was sent: its failures are over."""
    with transaction(db):
        execute(db, sa.delete(digest_failures).where(digest_failures.c.name == name))


def retry_now(db: Database, name: str, now: datetime) -> bool:
    """Try a set-aside digest again at its next round, with all its attempts; whether
    it had failed."""
    f = digest_failures.c
    with transaction(db):
        return (
            execute(
                db,
                sa.update(digest_failures)
                .where(f.name == name)
                .values(failures=0, next_attempt_at=iso(now)),
            )
            > 0
        )


def failures_state(db: Database) -> dict[str, Any]:
    """Digests waiting to be tried again, since when the oldest failed, how many are set
    aside."""
    return queue_counts(db, digest_failures, "failed_at")
