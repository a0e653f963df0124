"""Emails asked for from the browser (invitations, reminders, resending failed ones),
waiting for the sending worker.

A row is leased in the transaction that picks it (its next attempt moved LEASE ahead),
so nodes sending side by side never take the same one (on PostgreSQL the pick skips
rows another node is taking, FOR UPDATE SKIP LOCKED), and leaves the queue when its
email is sent, or is due again later when sending failed. A worker that dies while
sending loses nothing: after the lease its rows are taken again, and an invitation
already marked sent is then dropped, not sent twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from surveyapp.storage.database import Database, iso
from surveyapp.storage.invitations import COLUMNS
from surveyapp.storage.statements import execute, insert, records, row, value
from surveyapp.storage.tables import invitations, mail_queue
from surveyapp.storage.transactions import transaction


def _queue(db: Database, where: list, reminder: bool, now: datetime) -> int:
    """Queue the invitations ``where`` selects; one already queued (waiting to be tried
    again) is made due now."""
    when = sa.literal(iso(now))
    statement = (
        insert(db, mail_queue)
        .from_select(
            ["invitation_id", "reminder", "queued_at", "next_attempt_at"],
            sa.select(invitations.c.id, sa.literal(int(reminder)), when, when).where(*where),
        )
        .on_conflict_do_update(
            index_elements=["invitation_id", "reminder"], set_={"next_attempt_at": iso(now)}
        )
    )
    return execute(db, statement)


def queue_tokens(db: Database, tokens: list[str], now: datetime) -> int:
    """Queue the emails of invitations just created (in their transaction), found by
    their tokens: an import's part queues its own, never its batch's earlier parts."""
    queued = 0
    for start in range(0, len(tokens), 500):
        where = [invitations.c.token.in_(tokens[start : start + 500])]
        queued += _queue(db, where, reminder=False, now=now)
    return queued


def queue_invitations(db: Database, ids: list[int], *, reminder: bool, now: datetime) -> int:
    """Queue these invitations' emails (or reminders); how many were queued."""
    queued = 0
    with transaction(db):
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            queued += _queue(db, [invitations.c.id.in_(chunk)], reminder, now)
    return queued


#: How long a taken email is left to the worker that took it before another takes it.
LEASE = timedelta(minutes=2)


def take_queued(db: Database, now: datetime, limit: int = 100) -> list[dict[str, Any]]:
    """Lease up to ``limit`` due emails: each invitation's columns, ``queue_id`` and
    ``reminder``. Only what may still be sent: unanswered, unexpired, with an address,
    an invitation not sent yet (a reminder: sent, not reminded); the rest leaves the
    queue."""
    q, i = mail_queue.c, invitations.c
    due = iso(now)
    with transaction(db):
        rows = records(
            db,
            sa.select(q.id.label("queue_id"), q.reminder, *COLUMNS)
            .join_from(mail_queue, invitations, i.id == q.invitation_id)
            .where(q.next_attempt_at <= due)
            .order_by(q.next_attempt_at, q.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=mail_queue),
        )
        sendable = [
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
        kept = {r["queue_id"] for r in sendable}
        if dropped := [r["queue_id"] for r in rows if r["queue_id"] not in kept]:
            execute(db, sa.delete(mail_queue).where(q.id.in_(dropped)))
        if kept:
            leased = q.id.in_(sorted(kept))
            execute(
                db, sa.update(mail_queue).where(leased).values(next_attempt_at=iso(now + LEASE))
            )
    return sendable


def finish(db: Database, queue_ids: list[int]) -> None:
    """Take emails off the queue: sent, or set aside after their last attempt."""
    if queue_ids:
        with transaction(db):
            execute(db, sa.delete(mail_queue).where(mail_queue.c.id.in_(queue_ids)))


def retry_at(db: Database, queue_id: int, when: datetime) -> None:
    """Make a queued email due again at ``when`` (its sending failed)."""
    with transaction(db):
        execute(
            db,
            sa.update(mail_queue)
            .where(mail_queue.c.id == queue_id)
            .values(next_attempt_at=iso(when)),
        )


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
