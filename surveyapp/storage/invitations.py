"""Personal invitations (links with a single-use token) and opted-out customers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from surveyapp.storage.database import Database, driver_execute, is_postgres, iso, utcnow
from surveyapp.storage.invitation_tallies import count_made, count_steps
from surveyapp.storage.journeys import current_journey
from surveyapp.storage.statements import (
    Record,
    execute,
    findable,
    insert,
    insert_many,
    prepared,
    record,
    records,
    row,
    rows,
    value,
)
from surveyapp.storage.tables import (
    invitation_skips,
    invitations,
    journeys,
    optouts,
)
from surveyapp.storage.transactions import transaction

INVITATION_COLUMNS = (
    "id",
    "token",
    "journey_id",
    "moment_id",
    "customer_ref",
    "email",
    "locale",
    "created_at",
    "expires_at",
    "sent_at",
    "send_attempts",
    "last_error",
    "reminded_at",
    "answered_at",
    "batch",
    "opened_at",
    "opted_out_at",
)


#: The invitation columns callers read.
COLUMNS = [invitations.c[name] for name in INVITATION_COLUMNS]


def insert_invitations(db: Database, rows: list[dict], skips: list[dict] = ()) -> None:
    """Insert invitations and the requests skipped beside them (column: value rows), and
    count them made."""
    if rows:
        insert_many(db, invitations, rows)
        count_made(db, rows)
    insert_many(db, invitation_skips, list(skips))


def _chunks(items: list, size: int = 500) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def recent_invitations(db: Database, customer_refs: list[str], since: datetime) -> list[Record]:
    """``customer_ref``, ``journey_id`` and ``moment_id`` of each invitation these
    customers got since ``since``."""
    if is_postgres(db):
        # An import asks this of each of its parts while its own parts fill the table:
        # PostgreSQL's generic plan, chosen while the table was nearly empty, scanned it
        # whole each time (a part of 2,000 rows took 1.9 s at 40,000 invitations instead
        # of 0.09 s). Plans made for the values at hand, for the rest of this transaction;
        # all the values in one array (500 a query took 0.23 s a part of 4,000).
        driver_execute(db, "SET LOCAL plan_cache_mode = force_custom_plan")
        return rows(db, _RECENT_ANY, {"refs": customer_refs, "since": iso(since)})
    found: list[Record] = []
    for chunk in _chunks(customer_refs):
        found += rows(db, _RECENT, {"refs": chunk, "since": iso(since)})
    return found


# The contact budget's reads, built once: on SQLite an expanding IN (any number of
# values, 500 a query), on PostgreSQL one array.
_i = invitations.c
_RECENT = sa.select(_i.customer_ref, _i.journey_id, _i.moment_id).where(
    _i.customer_ref.in_(sa.bindparam("refs", expanding=True)),
    _i.created_at >= sa.bindparam("since"),
)
_RECENT_ANY = sa.select(_i.customer_ref, _i.journey_id, _i.moment_id).where(
    _i.customer_ref == sa.any_(sa.bindparam("refs", type_=postgresql.ARRAY(sa.Text))),
    _i.created_at >= sa.bindparam("since"),
)
_OPTED_OUT = sa.select(optouts.c.customer_hash).where(
    optouts.c.customer_hash.in_(sa.bindparam("hashes", expanding=True))
)
_OPTED_OUT_ANY = sa.select(optouts.c.customer_hash).where(
    optouts.c.customer_hash == sa.any_(sa.bindparam("hashes", type_=postgresql.ARRAY(sa.Text)))
)


def opted_out(db: Database, customer_hashes: list[str]) -> set[str]:
    """Which of these customers asked never to be surveyed again."""
    if is_postgres(db):
        return {r["customer_hash"] for r in rows(db, _OPTED_OUT_ANY, {"hashes": customer_hashes})}
    found: set[str] = set()
    for chunk in _chunks(customer_hashes):
        found |= {r["customer_hash"] for r in rows(db, _OPTED_OUT, {"hashes": chunk})}
    return found


def add_optout(db: Database, customer_hash: str, invitation_id: int | None = None) -> None:
    """Remember a customer who opted out; the invitation they did it from shows it."""
    with transaction(db):
        if invitation_id is not None:
            execute(
                db,
                sa.update(invitations)
                .where(invitations.c.id == invitation_id, invitations.c.opted_out_at.is_(None))
                .values(opted_out_at=iso(utcnow())),
            )
        execute(
            db,
            insert(db, optouts)
            .values(customer_hash=customer_hash, created_at=iso(utcnow()))
            .on_conflict_do_nothing(index_elements=["customer_hash"]),
        )


_TALLY_KEY = (
    invitations.c.journey_id,
    invitations.c.moment_id,
    invitations.c.created_at,
    invitations.c.locale,
)
_OPENED = prepared(
    sa.update(invitations)
    .where(
        invitations.c.id == sa.bindparam("invitation"),
        invitations.c.opened_at.is_(None),
        invitations.c.answered_at.is_(None),  # an answer counted it opened already
    )
    .values(opened_at=sa.bindparam("when"))
    .returning(*_TALLY_KEY)
)


def _count(db: Database, changed, step: str, **more: bool) -> bool:
    """Count ``step`` (and each of ``more`` that is true) for the invitation an
    UPDATE ... RETURNING changed (its row, or None); whether it did."""
    if changed is not None:
        key = (changed["journey_id"], changed["moment_id"], changed["created_at"][:10])
        count_steps(db, {(*key, changed["locale"]): {step: 1, **more}})
    return changed is not None


def mark_opened(db: Database, invitation_id: int) -> None:
    """A person opened the invitation (they touched its page or sent it); the first
    time is kept, and counted."""
    with transaction(db):
        changed = row(db, _OPENED, {"invitation": invitation_id, "when": iso(utcnow())})
        _count(db, changed, "opened")


def get_invitation(db: Database, token: str) -> dict[str, Any] | None:
    if not findable(token):
        return None
    return record(db, sa.select(*COLUMNS).where(invitations.c.token == token))


# A survey link's every request: built once.
_INVITATION_AND_JOURNEY = prepared(
    sa.select(*COLUMNS, journeys.c.digest)
    .join_from(invitations, journeys, journeys.c.id == invitations.c.journey_id)
    .where(invitations.c.token == sa.bindparam("token"))
)


def get_invitation_and_journey(db: Database, token: str):
    """An invitation and its journey, in one query (a survey link's every request)."""
    if not findable(token):
        return None
    invitation = row(db, _INVITATION_AND_JOURNEY, {"token": token})
    if invitation is None:
        return None
    journey = current_journey(db, invitation["journey_id"], invitation.pop("digest"))
    return (invitation, journey) if journey else None


def invitations_to_send(
    db: Database,
    *,
    now: datetime,
    retry: bool,
    journey_id: str | None = None,
    tokens: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Invitations with an email, not sent, unanswered and unexpired.

    Without ``retry`` only those never tried; with it, also those that failed.
    """
    i = invitations.c
    where = [
        i.email.is_not(None),
        i.sent_at.is_(None),
        i.answered_at.is_(None),
        i.expires_at > iso(now),
    ]
    if not retry:
        where.append(i.send_attempts == 0)
    if journey_id:
        where.append(i.journey_id == journey_id)
    statement = sa.select(*COLUMNS).order_by(i.id)
    if tokens is None:
        return records(db, statement.where(*where))
    rows: list[dict[str, Any]] = []
    for chunk in _chunks(tokens):  # only these: never read every unsent invitation
        rows += records(db, statement.where(*where, i.token.in_(chunk)))
    return rows


def mark_sent(db: Database, token: str, *, reminder: bool = False) -> None:
    """Its email (or reminder) went; the first sending is counted, and from then on the
    link counts in the response rate (it reached its customer)."""
    i = invitations.c
    column = "reminded_at" if reminder else "sent_at"
    values = {column: iso(utcnow()), "last_error": None, "send_attempts": i.send_attempts + 1}
    with transaction(db):
        if not reminder:
            first = sa.update(invitations).where(i.token == token, i.sent_at.is_(None))
            changed = row(db, first.values(values).returning(*_TALLY_KEY, i.email, i.answered_at))
            # A link without an email reached its customer when made; one answered while
            # its email was on its way, when answered.
            reached = changed is not None and changed["email"] is not None
            if _count(db, changed, "sent", reached=reached and changed["answered_at"] is None):
                return
        execute(db, sa.update(invitations).where(i.token == token).values(values))


def mark_send_failed(db: Database, token: str, error: str) -> None:
    i = invitations.c
    with transaction(db):
        execute(
            db,
            sa.update(invitations)
            .where(i.token == token)
            .values(last_error=error[:500], send_attempts=i.send_attempts + 1),
        )


def _reminder_due(journey_id: str, moment_id: str | None, older_than: datetime, now: datetime):
    i = invitations.c
    return [
        i.journey_id == journey_id,
        *([i.moment_id == moment_id] if moment_id else []),
        i.answered_at.is_(None),
        i.sent_at.is_not(None),
        i.reminded_at.is_(None),
        i.opted_out_at.is_(None),
        i.email.is_not(None),
        i.expires_at > iso(now),
        i.created_at <= iso(older_than),
    ]


def reminders_due(
    db: Database,
    journey_id: str,
    *,
    older_than: datetime,
    now: datetime,
    moment_id: str | None = None,
):
    """Sent, unanswered, unexpired, never reminded invitations older than ``older_than``."""
    where = _reminder_due(journey_id, moment_id, older_than, now)
    return records(db, sa.select(*COLUMNS).where(*where).order_by(invitations.c.id))


def reminders_due_count(
    db: Database, journey_id: str, moment_id: str, *, older_than: datetime, now: datetime
) -> int:
    """How many of a moment's invitations are due a reminder (before the opt-outs made
    from other invitations are taken out: at most this many are sent)."""
    where = _reminder_due(journey_id, moment_id, older_than, now)
    return value(db, sa.select(sa.func.count()).where(*where))
