"""Emails asked for from the browser (invitations, reminders, resending failed ones),
waiting for the sending worker.

A row is taken off the queue in the transaction that picks it, before its email is
sent: an email is sent at most once, even with several nodes sending side by side (on
PostgreSQL the pick skips rows another node is taking, FOR UPDATE SKIP LOCKED). If a
node dies while sending, its invitations show as not sent, and can be sent again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from surveyapp.storage.database import Database, iso
from surveyapp.storage.invitations import COLUMNS
from surveyapp.storage.statements import execute, insert, records, row, value
from surveyapp.storage.tables import invitations, mail_queue
from surveyapp.storage.transactions import transaction


def _queue(db: Database, where: list, reminder: bool, now: datetime) -> int:
    """Queue the invitations ``where`` selects; one already queued is left as it is."""
    when = sa.literal(iso(now))
    statement = (
        insert(db, mail_queue)
        .from_select(
            ["invitation_id", "reminder", "queued_at", "next_attempt_at"],
            sa.select(invitations.c.id, sa.literal(int(reminder)), when, when).where(*where),
        )
        .on_conflict_do_nothing(index_elements=["invitation_id", "reminder"])
    )
    return execute(db, statement)


def queue_batch(db: Database, batch: str, now: datetime) -> int:
    """Queue the emails of a batch just created (in its transaction): those with an
    address."""
    i = invitations.c
    return _queue(db, [i.batch == batch, i.email.is_not(None)], reminder=False, now=now)


def queue_invitations(db: Database, ids: list[int], *, reminder: bool, now: datetime) -> int:
    """Queue these invitations' emails (or reminders); how many were queued."""
    queued = 0
    with transaction(db):
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            queued += _queue(db, [invitations.c.id.in_(chunk)], reminder, now)
    return queued


def take_queued(db: Database, now: datetime, limit: int = 100) -> list[dict[str, Any]]:
    """Take up to ``limit`` queued emails off the queue: each invitation's columns and
    ``reminder``. Only what may still be sent: unanswered, unexpired, with an address,
    an invitation not sent yet (a reminder: sent, not reminded); the rest is dropped."""
    q, i = mail_queue.c, invitations.c
    with transaction(db):
        rows = records(
            db,
            sa.select(q.id.label("queue_id"), q.reminder, *COLUMNS)
            .join_from(mail_queue, invitations, i.id == q.invitation_id)
            .where(q.next_attempt_at <= iso(now))
            .order_by(q.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=mail_queue),
        )
        if rows:
            execute(db, sa.delete(mail_queue).where(q.id.in_([r["queue_id"] for r in rows])))
    due = iso(now)
    return [
        r
        for r in rows
        if r["email"]
        and r["answered_at"] is None
        and r["expires_at"] > due
        and (
            (r["sent_at"] is not None and r["reminded_at"] is None)
            if r["reminder"]
            else r["sent_at"] is None
        )
    ]


def queued_count(db: Database, journey_id: str, moment_id: str | None = None) -> int:
    """How many emails of a journey (or one moment) wait for the sending worker."""
    i = invitations.c
    where = [i.id == mail_queue.c.invitation_id, i.journey_id == journey_id]
    where += [i.moment_id == moment_id] if moment_id else []
    # From the queue (short) to each of its invitations: never a scan of the invitations.
    mine = sa.exists().where(*where)
    return value(db, sa.select(sa.func.count()).select_from(mail_queue).where(mine))


def queue_state(db: Database) -> dict[str, Any]:
    """The email queue at a glance: emails waiting for the sending worker, and since when
    the oldest waits."""
    q = mail_queue.c
    found = row(
        db, sa.select(sa.func.count().label("count"), sa.func.min(q.queued_at).label("oldest"))
    )
    return {"waiting": found["count"], "oldest_at": found["oldest"], "set_aside": 0}
