"""Emails to the customer of a follow-up, waiting for the sending worker: the manager's
own message, and the recovery survey (at most one per follow-up).

A row is leased in the transaction that takes it (its next attempt moved LEASE ahead,
its attempts counted), so nodes sending side by side never take the same one (on
PostgreSQL the pick skips rows another node is taking, FOR UPDATE SKIP LOCKED). Sent, it
leaves the queue (the item's history keeps what was sent); failed, it is due again
later, or set aside (no next attempt) until a manager tries it again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from surveyapp.domain.i18n import N_, message
from surveyapp.storage.database import Database, iso
from surveyapp.storage.statements import execute, insert, queue_counts, records, value
from surveyapp.storage.tables import customer_emails, followups, recoveries
from surveyapp.storage.transactions import transaction

#: Why an email taken again and again was set aside, in its reader's language.
STOPPED = message(N_("the sending worker stopped while sending it"))
#: How long a taken email is left to the worker that took it before another takes it.
LEASE = timedelta(minutes=2)


def queue(
    db: Database,
    *,
    response_id: int,
    kind: str,
    to: str,
    locale: str,
    by: str | None,
    now: datetime,
    subject: str | None = None,
    body: str | None = None,
    once: str | None = None,
) -> int | None:
    """Queue an email to the customer of follow-up ``response_id``, due now: its id, or
    None (nothing queued) when an email with the same ``once`` key was queued before."""
    with transaction(db):
        return value(
            db,
            insert(db, customer_emails)
            .values(
                response_id=response_id,
                kind=kind,
                once=once,
                to_address=to,
                subject=subject,
                body=body,
                locale=locale,
                asked_by=by,
                asked_at=iso(now),
                next_attempt_at=iso(now),
            )
            .on_conflict_do_nothing(index_elements=["once"])
            # RETURNING, not rowcount: PostgreSQL's driver may count -1 for DO NOTHING.
            .returning(customer_emails.c.id),
        )


def queue_recovery(db: Database, *, response_id: int, **email: Any) -> int | None:
    """Queue a follow-up's recovery survey: its id, or None when one was queued or sent
    before (also before this queue existed, when ``recoveries`` alone kept it)."""
    with transaction(db):
        sent = value(
            db, sa.select(recoveries.c.response_id).where(recoveries.c.response_id == response_id)
        )
        if sent is not None:
            return None
        return queue(
            db, response_id=response_id, kind="recovery", once=f"recovery:{response_id}", **email
        )


def take(db: Database, now: datetime, *, limit: int, attempts: int) -> list[dict[str, Any]]:
    """Lease up to ``limit`` due emails (with their journey's id), each attempt counted.
    One already taken
    ``attempts`` times (its worker stopped while sending it each time) is set aside
    instead, with that reason."""
    c = customer_emails.c
    with transaction(db):
        found = records(
            db,
            sa.select(customer_emails, followups.c.journey_id)
            .join_from(customer_emails, followups, followups.c.response_id == c.response_id)
            .where(c.next_attempt_at <= iso(now))
            .order_by(c.next_attempt_at, c.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=customer_emails),
        )
        spent = [r["id"] for r in found if r["attempts"] >= attempts]
        if spent:
            execute(
                db,
                sa.update(customer_emails)
                .where(c.id.in_(spent))
                .values(
                    next_attempt_at=None,
                    last_error=STOPPED.stored(),
                    failed_at=iso(now),
                ),
            )
        taken = [r for r in found if r["attempts"] < attempts]
        if taken:
            execute(
                db,
                sa.update(customer_emails)
                .where(c.id.in_([r["id"] for r in taken]))
                .values(next_attempt_at=iso(now + LEASE), attempts=c.attempts + 1),
            )
    for r in taken:
        r["attempts"] += 1
    return taken


def finish(db: Database, email_id: int) -> None:
    """An email was sent: it leaves the queue (the item's history keeps what was sent)."""
    with transaction(db):
        execute(db, sa.delete(customer_emails).where(customer_emails.c.id == email_id))


def failed(db: Database, email_id: int, *, error: str, now: datetime, again: datetime | None):
    """An attempt failed because of ``error``: due again at ``again``, or set aside."""
    with transaction(db):
        execute(
            db,
            sa.update(customer_emails)
            .where(customer_emails.c.id == email_id)
            .values(
                last_error=error[:1000],
                failed_at=iso(now),
                next_attempt_at=iso(again) if again else None,
            ),
        )


def retry_now(db: Database, response_id: int, email_id: int, now: datetime) -> bool:
    """Try a set-aside email of follow-up ``response_id`` again at the worker's next
    round, with all its attempts; whether it was set aside."""
    c = customer_emails.c
    with transaction(db):
        return (
            execute(
                db,
                sa.update(customer_emails)
                .where(
                    c.id == email_id,
                    c.response_id == response_id,
                    c.next_attempt_at.is_(None),
                )
                .values(attempts=0, next_attempt_at=iso(now)),
            )
            > 0
        )


def of_followup(db: Database, response_id: int) -> list[dict[str, Any]]:
    """A follow-up's emails not sent yet (waiting, failing, set aside), oldest first."""
    c = customer_emails.c
    return records(
        db, sa.select(customer_emails).where(c.response_id == response_id).order_by(c.id)
    )


def set_aside(db: Database, journey_id: str) -> list[dict[str, Any]]:
    """A journey's emails to customers set aside after their last attempt, oldest first."""
    c = customer_emails.c
    return records(
        db,
        sa.select(c.id, c.response_id, c.kind, c.to_address, c.last_error)
        .join_from(customer_emails, followups, followups.c.response_id == c.response_id)
        .where(c.next_attempt_at.is_(None), followups.c.journey_id == journey_id)
        .order_by(c.id)
        .limit(100),
    )


def queue_state(db: Database) -> dict[str, Any]:
    """Emails to customers waiting for the sending worker, since when the oldest waits,
    how many are set aside."""
    return queue_counts(db, customer_emails, "asked_at")
