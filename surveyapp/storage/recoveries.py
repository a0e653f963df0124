"""The recovery loop's storage: the one-question survey sent after a moment of pain was
resolved, its single-use answer, and the figures per moment (how many pains were turned
into glory, how long resolution took)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from surveyapp.domain.vocabulary import RECOVERY_GLORY
from surveyapp.storage.database import Database, iso, parse_iso, utcnow
from surveyapp.storage.inbox import record_event
from surveyapp.storage.statements import execute, insert, records, rows, value
from surveyapp.storage.tables import followup_events, followups, recoveries
from surveyapp.storage.transactions import transaction


def start_recovery(
    db: Database,
    item: dict[str, Any],
    *,
    token_hash: str,
    email: str,
    by: str | None,
    expires_at: str,
) -> bool:
    """Keep that a recovery survey goes to ``email`` for a follow-up ``item``, and say so
    in its history; False (nothing changed) if one was already sent for it."""
    now = iso(utcnow())
    with transaction(db):
        started = value(
            db,
            insert(db, recoveries)
            .values(
                response_id=item["response_id"],
                journey_id=item["journey_id"],
                moment_id=item["moment_id"],
                token_hash=token_hash,
                locale=item["locale"],
                email=email,
                sent_by=by,
                sent_at=now,
                expires_at=expires_at,
            )
            .on_conflict_do_nothing(index_elements=["response_id"])
            # RETURNING, not rowcount: PostgreSQL's driver may count -1 for DO NOTHING.
            .returning(recoveries.c.response_id),
        )
        if started is not None:
            record_event(db, item["response_id"], now, by, "recovery", {"to": email})
    return started is not None


def forget_recovery(db: Database, response_id: int) -> None:
    """Undo :func:`start_recovery` when its email could not be sent (history included)."""
    with transaction(db):
        execute(db, sa.delete(recoveries).where(recoveries.c.response_id == response_id))
        e = followup_events.c
        execute(
            db,
            sa.delete(followup_events).where(e.response_id == response_id, e.action == "recovery"),
        )


def recovery_of(db: Database, response_id: int) -> dict[str, Any] | None:
    """A follow-up's recovery survey, or None."""
    found = records(db, sa.select(recoveries).where(recoveries.c.response_id == response_id))
    return found[0] if found else None


def recovery_by_token(db: Database, token_hash: str) -> dict[str, Any] | None:
    """The recovery survey a link opens, or None."""
    found = records(db, sa.select(recoveries).where(recoveries.c.token_hash == token_hash))
    return found[0] if found else None


def answer_recovery(db: Database, token_hash: str, answer: str) -> bool:
    """Keep the customer's answer, once: False (nothing changed) if the link was already
    answered or has expired. One statement claims it, so two posts count once."""
    now = iso(utcnow())
    r = recoveries.c
    with transaction(db):
        claimed = value(
            db,
            sa.update(recoveries)
            .where(r.token_hash == token_hash, r.answered_at.is_(None), r.expires_at > now)
            .values(answer=answer, answered_at=now)
            .returning(r.response_id),
        )
        if claimed is None:
            return False
        record_event(db, claimed, now, None, "recovered", {"answer": answer})
    return True


def recovery_counts(db: Database, journey_id: str) -> dict[str, dict[str, int]]:
    """Per moment: recovery surveys sent, answered, and answered "yes" (glory)."""
    r = recoveries.c
    counted = (
        sa.select(
            r.moment_id,
            sa.func.count().label("sent"),
            sa.func.count(r.answered_at).label("answered"),
            sa.func.count().filter(r.answer == RECOVERY_GLORY).label("glory"),
        )
        .where(r.journey_id == journey_id)
        .group_by(r.moment_id)
    )
    return {
        c["moment_id"]: {"sent": c["sent"], "answered": c["answered"], "glory": c["glory"]}
        for c in rows(db, counted)
    }


def resolution_hours(
    db: Database, journey_id: str, since: date | None = None, until: date | None = None
) -> dict[str, list[float]]:
    """Per moment, how many hours each resolved moment of pain took, from the answer to
    its resolution (answers received between ``since`` and ``until``, if given)."""
    f = followups.c
    where = [f.journey_id == journey_id, f.resolved_at.is_not(None)]
    if since:
        where.append(f.created_at >= since.isoformat())
    if until:
        where.append(f.created_at < (until + timedelta(days=1)).isoformat())
    hours: dict[str, list[float]] = defaultdict(list)
    for item in rows(db, sa.select(f.moment_id, f.created_at, f.resolved_at).where(*where)):
        took = parse_iso(item["resolved_at"]) - parse_iso(item["created_at"])
        hours[item["moment_id"]].append(max(0.0, took.total_seconds() / 3600))
    return dict(hours)
