"""Email digests: how far each has reported, and the negative responses it has not."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from surveyapp.domain.vocabulary import Polarity
from surveyapp.storage.database import Database, iso, utcnow
from surveyapp.storage.statements import execute, insert, records, row, value
from surveyapp.storage.tables import digest_marks, responses
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
