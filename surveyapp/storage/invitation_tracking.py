"""What became of each invitation, for the manager: states, pages of the list, and the
counts that make a response rate.

An invitation's state is computed from its times, in the order of
:data:`vocabulary.INVITATION_STATES` (answered first): one SQL expression, so the list
filters and counts by it without storing it twice. Skipped requests live in their own
table and are listed under their own state.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from surveyapp.domain.vocabulary import INVITATION_STATES
from surveyapp.storage.database import Database, iso
from surveyapp.storage.statements import records, row, rows, starts_with, stream, value
from surveyapp.storage.tables import invitation_skips, invitations

i = invitations.c

#: Characters LIKE reads as patterns, escaped in a searched text.
_LIKE_ESCAPE = "\\"


#: Sending failed and never succeeded since (the condition of idx_invitations_failed:
#: every attempt counts in send_attempts, and a success sets sent_at).
_FAILED = sa.and_(i.sent_at.is_(None), i.send_attempts > 0)


def state_of(now: datetime) -> sa.ColumnElement:
    """The state of an invitation at ``now``, as one SQL expression: the conditions in the
    order of INVITATION_STATES (a test checks it), "created" when none holds."""
    when = iso(now)
    conditions = {
        "answered": i.answered_at.is_not(None),
        "opted_out": i.opted_out_at.is_not(None),
        "expired": i.expires_at <= when,
        "failed": _FAILED,
        "opened": i.opened_at.is_not(None),
        "sent": i.sent_at.is_not(None),
    }
    return sa.case(
        *((condition, sa.literal(state)) for state, condition in conditions.items()),
        else_=sa.literal("created"),
    )


def _found(table: sa.Table, text: str):
    """Rows whose customer reference or email begins with ``text`` (as typed): two index
    ranges, so a search costs the same among a million invitations."""
    return sa.or_(starts_with(table.c.customer_ref, text), starts_with(table.c.email, text))


@dataclass(frozen=True)
class ListQuery:
    """Which invitations of a moment to list: a state (None: every invitation), the start
    of the customer's reference or email, a page (from 1) of ``size`` rows."""

    journey_id: str
    moment_id: str
    state: str | None = None
    text: str = ""
    page: int = 1
    size: int = 50


def invitation_list(
    db: Database, query: ListQuery, now: datetime, known_total: int | None = None
) -> tuple[list[dict], int]:
    """One page of a moment's invitations, newest first, and how many match in all
    (``known_total``, when the caller has it from the tallies, saves counting them)."""
    if query.state == "skipped":
        s = invitation_skips.c
        where = [s.journey_id == query.journey_id, s.moment_id == query.moment_id]
        if query.text:
            where.append(_found(invitation_skips, query.text))
        columns = [
            s.id,
            s.customer_ref,
            s.email,
            s.locale,
            s.created_at,
            s.reason,
            sa.literal("skipped").label("state"),
        ]
        table = invitation_skips
    else:
        state = state_of(now)
        where = [i.journey_id == query.journey_id, i.moment_id == query.moment_id]
        if query.state:
            where.append(state == query.state)
        if query.text:
            where.append(_found(invitations, query.text))
        columns = [
            i.id,
            i.token,
            i.customer_ref,
            i.email,
            i.locale,
            i.created_at,
            i.expires_at,
            i.sent_at,
            i.send_attempts,
            i.last_error,
            i.reminded_at,
            i.opened_at,
            i.answered_at,
            i.opted_out_at,
            state.label("state"),
        ]
        table = invitations
    if known_total is None:
        known_total = value(db, sa.select(sa.func.count()).select_from(table).where(*where))
    page = records(
        db,
        sa.select(*columns)
        .where(*where)
        .order_by(table.c.id.desc())
        .limit(query.size)
        .offset((query.page - 1) * query.size),
    )
    return page, known_total


def _resendable(journey_id: str, moment_id: str, now: datetime) -> list:
    """A moment's invitations whose email failed and that may still be answered."""
    return [
        i.journey_id == journey_id,
        i.moment_id == moment_id,
        _FAILED,
        i.answered_at.is_(None),
        i.opted_out_at.is_(None),
        i.expires_at > iso(now),
    ]


def failed_count(db: Database, journey_id: str, moment_id: str, now: datetime) -> int:
    """How many of a moment's failed invitations may be sent again."""
    where = _resendable(journey_id, moment_id, now)
    return value(db, sa.select(sa.func.count()).where(*where))


def skipped_count(db: Database, journey_id: str, moment_id: str) -> int:
    s = invitation_skips.c
    return value(
        db, sa.select(sa.func.count()).where(s.journey_id == journey_id, s.moment_id == moment_id)
    )


def state_counts(db: Database, journey_id: str, moment_id: str, now: datetime) -> dict[str, int]:
    """How many of a moment's invitations are in each state, skipped requests included
    (it reads every one of them: for tests and reports, not for each page)."""
    state = state_of(now)
    counts = dict.fromkeys(INVITATION_STATES, 0)
    counted = (
        sa.select(state.label("state"), sa.func.count().label("n"))
        .where(i.journey_id == journey_id, i.moment_id == moment_id)
        .group_by(state)
    )
    counts.update((found["state"], found["n"]) for found in rows(db, counted))
    counts["skipped"] = skipped_count(db, journey_id, moment_id)
    return counts


def failed_ids(db: Database, journey_id: str, moment_id: str, now: datetime) -> list[int]:
    """The invitations whose email failed and that may still be answered."""
    where = _resendable(journey_id, moment_id, now)
    return [found["id"] for found in rows(db, sa.select(i.id).where(*where))]


def batch_rows(db: Database, batch: str) -> Iterator[dict[str, Any]]:
    """A batch's invitations, then its skipped requests (for its links.csv), one at a
    time: an import's batch may hold a million."""
    s = invitation_skips.c
    made = sa.select(
        i.journey_id, i.customer_ref, i.email, i.locale, i.token, sa.null().label("reason")
    ).where(i.batch == batch)
    skipped = sa.select(
        s.journey_id, s.customer_ref, s.email, s.locale, sa.null().label("token"), s.reason
    ).where(s.batch == batch)
    for statement in (made.order_by(i.id), skipped.order_by(s.id)):
        for found in stream(db, statement.execution_options(yield_per=2000)):
            yield dict(found)


def batch_summary(db: Database, batch: str) -> dict[str, Any]:
    """What a batch made: its invitations, those with an address, and the requests
    skipped by reason."""
    s = invitation_skips.c
    made = row(
        db,
        sa.select(sa.func.count().label("made"), sa.func.count(i.email).label("with_email")).where(
            i.batch == batch
        ),
    )
    skipped = rows(
        db,
        sa.select(s.reason, sa.func.count().label("count"))
        .where(s.batch == batch)
        .group_by(s.reason)
        .order_by(s.reason),
    )
    return {
        "made": made["made"],
        "with_email": made["with_email"],
        "skipped": {found["reason"]: found["count"] for found in skipped},
    }
