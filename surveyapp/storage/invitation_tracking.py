"""What became of each invitation, for the manager: states, pages of the list, and the
counts that make a response rate.

An invitation's state is computed from its times, in the order of
:data:`vocabulary.INVITATION_STATES` (answered first): one SQL expression, so the list
filters and counts by it without storing it twice. Skipped requests live in their own
table and are listed under their own state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from surveyapp.domain.vocabulary import INVITATION_STATES
from surveyapp.storage.database import Database, iso
from surveyapp.storage.tables import invitation_skips, invitations

i = invitations.c

#: Characters LIKE reads as patterns, escaped in a searched text.
_LIKE_ESCAPE = "\\"


def state_of(now: datetime) -> sa.ColumnElement:
    """The state of an invitation at ``now``, as one SQL expression: the conditions in the
    order of INVITATION_STATES (a test checks it), "created" when none holds."""
    when = iso(now)
    conditions = {
        "answered": i.answered_at.is_not(None),
        "opted_out": i.opted_out_at.is_not(None),
        "expired": i.expires_at <= when,
        "failed": sa.and_(i.sent_at.is_(None), i.last_error.is_not(None)),
        "opened": i.opened_at.is_not(None),
        "sent": i.sent_at.is_not(None),
    }
    return sa.case(
        *((condition, sa.literal(state)) for state, condition in conditions.items()),
        else_=sa.literal("created"),
    )


def _found(table: sa.Table, text: str):
    """Rows whose customer reference or email contains ``text``, whatever its case."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return sa.or_(
        table.c.customer_ref.ilike(pattern, escape=_LIKE_ESCAPE),
        table.c.email.ilike(pattern, escape=_LIKE_ESCAPE),
    )


@dataclass(frozen=True)
class ListQuery:
    """Which invitations of a moment to list: a state (None: every invitation), a text
    found in the customer's reference or email, a page (from 1) of ``size`` rows."""

    journey_id: str
    moment_id: str
    state: str | None = None
    text: str = ""
    page: int = 1
    size: int = 50


def invitation_list(db: Database, query: ListQuery, now: datetime) -> tuple[list[dict], int]:
    """One page of a moment's invitations, newest first, and how many match in all."""
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
    total = db.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one()
    rows = db.execute(
        sa.select(*columns)
        .where(*where)
        .order_by(table.c.id.desc())
        .limit(query.size)
        .offset((query.page - 1) * query.size)
    ).mappings()
    return [dict(r) for r in rows], total


def state_counts(db: Database, journey_id: str, moment_id: str, now: datetime) -> dict[str, int]:
    """How many of a moment's invitations are in each state, skipped requests included."""
    state = state_of(now)
    counts = dict.fromkeys(INVITATION_STATES, 0)
    counts.update(
        db.execute(
            sa.select(state, sa.func.count())
            .where(i.journey_id == journey_id, i.moment_id == moment_id)
            .group_by(state)
        ).all()
    )
    s = invitation_skips.c
    counts["skipped"] = db.execute(
        sa.select(sa.func.count()).where(s.journey_id == journey_id, s.moment_id == moment_id)
    ).scalar_one()
    return counts


def failed_ids(db: Database, journey_id: str, moment_id: str, now: datetime) -> list[int]:
    """The invitations whose email failed and that may still be answered."""
    return list(
        db.execute(
            sa.select(i.id).where(
                i.journey_id == journey_id, i.moment_id == moment_id, state_of(now) == "failed"
            )
        ).scalars()
    )


def batch_rows(db: Database, batch: str) -> list[dict[str, Any]]:
    """A batch's invitations, then its skipped requests (for its links.csv)."""
    s = invitation_skips.c
    made = sa.select(
        i.journey_id, i.customer_ref, i.email, i.locale, i.token, sa.null().label("reason")
    ).where(i.batch == batch)
    skipped = sa.select(
        s.journey_id, s.customer_ref, s.email, s.locale, sa.null().label("token"), s.reason
    ).where(s.batch == batch)
    rows = [dict(r) for r in db.execute(made.order_by(i.id)).mappings()]
    rows += [dict(r) for r in db.execute(skipped.order_by(s.id)).mappings()]
    return rows


#: The funnel of a response rate, in order.
FUNNEL = ("invited", "sent", "opened", "answered")


def funnel(
    db: Database,
    journey_id: str,
    *,
    since: date | None = None,
    until: date | None = None,
    locale: str | None = None,
) -> dict[str, dict[str, int]]:
    """Per moment: invitations made (in the period, by when they were made), sent,
    opened by a person (an answer counts as opened) and answered."""
    where = [i.journey_id == journey_id]
    if since:
        where.append(i.created_at >= since.isoformat())
    if until:
        where.append(i.created_at < (until + timedelta(days=1)).isoformat())
    if locale:
        where.append(i.locale == locale)
    opened = sa.func.count(sa.case((i.opened_at.is_not(None) | i.answered_at.is_not(None), 1)))
    rows = db.execute(
        sa.select(
            i.moment_id,
            sa.func.count(),
            sa.func.count(i.sent_at),
            opened,
            sa.func.count(i.answered_at),
        )
        .where(*where)
        .group_by(i.moment_id)
    ).all()
    return {row[0]: dict(zip(FUNNEL, row[1:], strict=True)) for row in rows}
