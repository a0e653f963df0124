"""Retention: a journey's data older than its window, counted (the dry run a manager
reads before switching it on), deleted or anonymized (the jobs worker, once an hour).

A row is older than the window when its day is before the window's first day: a
response by the UTC day it was given, an invitation or a skipped row by the day it was
made, a tally by its day. Deleting removes the responses with their follow-ups (and the
follow-ups' history, recovery surveys and emails), the invitations with their queued
emails, the skipped rows, and the daily tallies of those days, so every figure covers
the same window. Anonymizing keeps every answer and count, and erases who gave them:
references, addresses, contacts, the emails written to them. Opt-outs are kept either
way (a hash of the reference), so nobody who opted out is invited again.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from surveyapp.domain.governance_vocabulary import RetentionAction
from surveyapp.domain.vocabulary import FOLLOWUP_DONE
from surveyapp.storage.audit import record_audit
from surveyapp.storage.database import Database, iso
from surveyapp.storage.followups import count_open
from surveyapp.storage.journey_settings import keep
from surveyapp.storage.statements import execute, record, records, rows, value
from surveyapp.storage.tables import (
    customer_emails,
    daily_tallies,
    followup_events,
    followups,
    invitation_skips,
    invitation_tallies,
    invitations,
    journey_settings,
    mail_queue,
    recoveries,
    responses,
)
from surveyapp.storage.transactions import transaction


def window(db: Database, journey_id: str) -> dict[str, Any] | None:
    """The journey's retention (``days``, ``action``, ``applied_at``), or None: kept."""
    s = journey_settings.c
    found = record(
        db,
        sa.select(
            s.retention_days.label("days"),
            s.retention_action.label("action"),
            s.retention_applied_at.label("applied_at"),
        ).where(s.journey_id == journey_id, s.retention_days.is_not(None)),
    )
    return found


def set_window(
    db: Database, journey_id: str, days: int | None, action: str | None, *, by: str | None
) -> None:
    """Switch the journey's retention on (``days``, ``action``) or off (None), in the
    audit log too; the jobs worker applies it at its next round."""
    with transaction(db):
        keep(
            db,
            journey_id,
            {"retention_days": days, "retention_action": action, "retention_applied_at": None},
        )
        record_audit(db, by, "journey.retention", journey_id, {"days": days, "action": action})


def due(db: Database, now: datetime, every: timedelta) -> list[dict[str, Any]]:
    """The journeys whose retention was not applied within ``every``."""
    s = journey_settings.c
    return records(
        db,
        sa.select(s.journey_id, s.retention_days.label("days"), s.retention_action.label("action"))
        .where(
            s.retention_days.is_not(None),
            sa.or_(s.retention_applied_at.is_(None), s.retention_applied_at < iso(now - every)),
        )
        .order_by(s.journey_id),
    )


def _old(journey_id: str, before: date) -> dict[str, Any]:
    """The WHERE clauses of the journey's rows older than ``before`` (its first day)."""
    day = before.isoformat()
    theirs = sa.select(responses.c.id).where(
        responses.c.journey_id == journey_id, responses.c.day < day
    )
    return {
        "responses": theirs,
        "response": responses.c.id.in_(theirs),
        "invitation": sa.and_(
            invitations.c.journey_id == journey_id, invitations.c.created_at < day
        ),
        "skipped": sa.and_(
            invitation_skips.c.journey_id == journey_id, invitation_skips.c.created_at < day
        ),
        "day": day,
    }


def _count(db: Database, table: sa.Table, *where) -> int:
    return value(db, sa.select(sa.func.count()).select_from(table).where(*where))


def count_older(db: Database, journey_id: str, before: date, action: str) -> dict[str, int]:
    """What applying ``action`` now would change (the dry run): how many rows of each
    kind, by the names the audit log gives them."""
    old = _old(journey_id, before)
    f, i, k = followups.c, invitations.c, invitation_skips.c
    if action == RetentionAction.DELETE:
        return {
            "responses": _count(db, responses, old["response"]),
            "followups": _count(db, followups, f.response_id.in_(old["responses"])),
            "invitations": _count(db, invitations, old["invitation"]),
            "skipped": _count(db, invitation_skips, old["skipped"]),
        }
    named = sa.or_(i.customer_ref.is_not(None), i.email.is_not(None))
    return {
        "responses": _count(db, responses, old["response"], responses.c.customer_ref.is_not(None)),
        "followups": _count(
            db, followups, f.response_id.in_(old["responses"]), f.contact.is_not(None)
        ),
        "invitations": _count(db, invitations, old["invitation"], named),
        "skipped": _count(
            db,
            invitation_skips,
            old["skipped"],
            sa.or_(k.customer_ref.is_not(None), k.email.is_not(None)),
        ),
    }


def apply(
    db: Database, journey_id: str, before: date, action: str, *, now: datetime
) -> dict[str, int]:
    """Delete or anonymize the journey's rows older than ``before``, in one transaction
    with the mark of when and its line in the audit log; how many rows of each kind."""
    with transaction(db):
        counts = count_older(db, journey_id, before, action)
        if action == RetentionAction.DELETE:
            _delete(db, journey_id, _old(journey_id, before))
        else:
            _anonymize(db, _old(journey_id, before))
        keep(db, journey_id, {"retention_applied_at": iso(now)})
        changed = {kind: n for kind, n in counts.items() if n}
        if changed:
            record_audit(db, None, "journey.retention_applied", journey_id, changed)
    return counts


def _delete(db: Database, journey_id: str, old: dict[str, Any]) -> None:
    theirs = old["responses"]
    for table in (customer_emails, followup_events, recoveries):
        execute(db, sa.delete(table).where(table.c.response_id.in_(theirs)))
    f = followups.c
    still_open = rows(
        db,
        sa.select(f.moment_id, sa.func.count().label("n"))
        .where(f.response_id.in_(theirs), f.status != FOLLOWUP_DONE)
        .group_by(f.moment_id),
    )
    for found in still_open:
        count_open(db, journey_id, found["moment_id"], -found["n"])
    execute(db, sa.delete(followups).where(f.response_id.in_(theirs)))
    execute(db, sa.delete(responses).where(old["response"]))
    gone = sa.select(invitations.c.id).where(old["invitation"])
    # A newer response to an older invitation keeps its answers, without the link.
    execute(
        db,
        sa.update(responses).where(responses.c.invitation_id.in_(gone)).values(invitation_id=None),
    )
    execute(db, sa.delete(mail_queue).where(mail_queue.c.invitation_id.in_(gone)))
    execute(db, sa.delete(invitations).where(old["invitation"]))
    execute(db, sa.delete(invitation_skips).where(old["skipped"]))
    for table in (daily_tallies, invitation_tallies):
        execute(
            db,
            sa.delete(table).where(table.c.journey_id == journey_id, table.c.day < old["day"]),
        )


def _anonymize(db: Database, old: dict[str, Any]) -> None:
    theirs = old["responses"]
    execute(db, sa.delete(customer_emails).where(customer_emails.c.response_id.in_(theirs)))
    execute(
        db,
        sa.update(recoveries)
        .where(recoveries.c.response_id.in_(theirs), recoveries.c.email != "")
        .values(email=""),
    )
    execute(
        db,
        sa.update(followups)
        .where(followups.c.response_id.in_(theirs), followups.c.contact.is_not(None))
        .values(contact=None),
    )
    execute(
        db,
        sa.update(responses)
        .where(old["response"], responses.c.customer_ref.is_not(None))
        .values(customer_ref=None),
    )
    execute(
        db, sa.update(invitations).where(old["invitation"]).values(customer_ref=None, email=None)
    )
    execute(
        db,
        sa.update(invitation_skips).where(old["skipped"]).values(customer_ref=None, email=None),
    )
