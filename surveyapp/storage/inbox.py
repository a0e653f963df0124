"""The follow-up inbox: one page of filtered items and how many there are in all, each
item's history, and each journey's target time.

The filters and the order read the ``followups`` table alone (it keeps its response's
time, channel and language), so counting and paging 100,000 items stay fast; only a
text search also reads the comments' index and the responses' references."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from surveyapp.domain.inbox import InboxFilters
from surveyapp.domain.vocabulary import (
    FOLLOWUP_DONE,
    FOLLOWUP_NOBODY,
    FOLLOWUP_OVERDUE,
    FOLLOWUP_TARGET_HOURS,
    FOLLOWUP_UNRESOLVED,
)
from surveyapp.storage.audit import record_audit
from surveyapp.storage.comment_search import holding
from surveyapp.storage.database import Database, is_postgres, iso
from surveyapp.storage.journey_settings import keep
from surveyapp.storage.statements import (
    execute,
    findable,
    insert,
    records,
    row,
    rows,
    starts_with,
    value,
)
from surveyapp.storage.tables import (
    followup_events,
    followups,
    invitations,
    journey_settings,
    responses,
)
from surveyapp.storage.transactions import transaction

_LIKE_ESCAPES = str.maketrans({"\\": "\\\\", "%": "\\%", "_": "\\_"})


def _contains(db: Database, column, pattern: str):
    # Case ignored on both engines: SQLite's LIKE already ignores the case of ASCII
    # letters (and lower() folds no more than that), so it is used as it is, 5 times
    # faster than ILIKE's lower() on both sides; PostgreSQL's ILIKE.
    if is_postgres(db):
        return column.ilike(pattern, escape="\\")
    return column.like(pattern, escape="\\")


def _said(db: Database, text: str):
    """Items whose comment holds the words of ``text`` (the full-text index), whose
    customer reference begins with it, or whose note or contact holds it.

    Each table is read once for the matching ids (IN) rather than looked up item by
    item, and the follow-ups without the journey (the outer query keeps to it): on
    SQLite a scan reads rows in order, while the journey's index would fetch 100,000
    rows one by one."""
    r, f = responses.c, followups.c
    pattern = "%" + text.translate(_LIKE_ESCAPES) + "%"
    answered = sa.select(r.id).where(sa.or_(holding(db, text), starts_with(r.customer_ref, text)))
    handled = sa.select(f.response_id).where(
        sa.or_(_contains(db, f.note, pattern), _contains(db, f.contact, pattern))
    )
    return sa.or_(followups.c.response_id.in_(answered), followups.c.response_id.in_(handled))


def _where(
    db: Database,
    journey_id: str,
    filters: InboxFilters,
    now: datetime,
    target_hours: int,
    about: list[int] | None,
) -> list:
    f = followups.c
    where = [f.journey_id == journey_id]
    if about is not None:  # the items whose comment is about the filtered theme
        where.append(f.response_id.in_(about))
    if filters.status == FOLLOWUP_UNRESOLVED:
        where.append(f.status != FOLLOWUP_DONE)
    elif filters.status:
        where.append(f.status == filters.status)
    if filters.moment:
        where.append(f.moment_id == filters.moment)
    if filters.owner == FOLLOWUP_NOBODY:
        where.append(f.owner.is_(None))
    elif filters.owner:
        where.append(f.owner == filters.owner)
    if filters.age == FOLLOWUP_OVERDUE:
        where.append(f.status != FOLLOWUP_DONE)
        where.append(f.created_at < iso(now - timedelta(hours=target_hours)))
    elif filters.age:
        where.append(f.created_at >= iso(now - timedelta(hours=int(filters.age))))
    if filters.channel:
        where.append(f.channel == filters.channel)
    if filters.locale:
        where.append(f.locale == filters.locale)
    if filters.text:
        where.append(_said(db, filters.text))
    return where


def inbox_page(
    db: Database,
    journey_id: str,
    filters: InboxFilters,
    *,
    now: datetime,
    target_hours: int,
    page_size: int,
    about: list[int] | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """One page of the journey's follow-ups that match ``filters``, with their responses'
    answers, and how many match in all; ``about``: the only responses a theme filter
    leaves (read by services/comment_themes.py), None without one."""
    if not findable(filters.text, filters.owner):
        return [], 0
    f, r = followups.c, responses.c
    where = _where(db, journey_id, filters, now, target_hours, about)
    order = (
        (f.created_at, f.response_id)
        if filters.sort == "due"
        else (f.created_at.desc(), f.response_id.desc())
    )
    total = value(db, sa.select(sa.func.count()).select_from(followups).where(*where))
    # The page's ids first, from followups alone (its index covers the filters and the
    # order), then their rows: a deep page skips index entries, not joined rows. (A
    # window count in the same pass is slower: it keeps every matching row.)
    page = (
        sa.select(f.response_id)
        .where(*where)
        .order_by(*order)
        .limit(page_size)
        .offset((filters.page - 1) * page_size)
    )
    ids = [found["response_id"] for found in rows(db, page)]
    if not ids:
        return [], total
    items = records(
        db,
        sa.select(
            f.response_id,
            f.moment_id,
            f.status,
            f.note,
            f.owner,
            f.revision,
            f.updated_at,
            f.updated_by,
            f.contact,
            f.contact_at,
            f.resolved_at,
            f.created_at,
            f.channel,
            f.locale,
            r.answers,
            r.customer_ref,
            r.invitation_id,
        )
        .join_from(followups, responses, r.id == f.response_id)
        .where(f.response_id.in_(ids))
        .order_by(*order),
    )
    for item in items:
        item["answers"] = json.loads(item["answers"])
    return items, total


def followup_item(db: Database, journey_id: str, response_id: int) -> dict[str, Any] | None:
    """One follow-up of the journey with its response, or None."""
    f, r, i = followups.c, responses.c, invitations.c
    found = records(
        db,
        sa.select(
            *followups.c,
            r.answers,
            r.customer_ref,
            r.invitation_id,
            r.comment,
            i.email.label("invitation_email"),
        )
        .join_from(followups, responses, r.id == f.response_id)
        .outerjoin(invitations, i.id == r.invitation_id)
        .where(f.journey_id == journey_id, f.response_id == response_id),
    )
    if not found:
        return None
    item = found[0]
    item["answers"] = json.loads(item["answers"])
    return item


def record_event(
    db: Database, response_id: int, when: str, by: str | None, action: str, detail: dict
) -> None:
    """Add one change to a follow-up's history (in the caller's transaction)."""
    execute(
        db,
        insert(db, followup_events).values(
            response_id=response_id,
            at=when,
            by=by,
            action=action,
            detail=json.dumps(detail, ensure_ascii=False),
        ),
    )


def history(db: Database, response_id: int) -> list[dict[str, Any]]:
    """A follow-up's changes, oldest first."""
    e = followup_events.c
    events = records(
        db,
        sa.select(e.at, e.by, e.action, e.detail)
        .where(e.response_id == response_id)
        .order_by(e.id),
    )
    for event in events:
        event["detail"] = json.loads(event["detail"] or "{}")
    return events


def target_hours(db: Database, journey_id: str) -> int:
    """The journey's target time to handle a moment of pain, in hours."""
    s = journey_settings.c
    found = value(db, sa.select(s.followup_hours).where(s.journey_id == journey_id))
    return found or FOLLOWUP_TARGET_HOURS


def set_target_hours(db: Database, journey_id: str, hours: int, *, by: str | None) -> None:
    """Set the journey's target time (hours), kept in the audit log."""
    before = target_hours(db, journey_id)
    with transaction(db):
        keep(db, journey_id, {"followup_hours": hours})
        if hours != before:
            record_audit(db, by, "journey.target_time", journey_id, {"from": before, "to": hours})


def journey_digest(db: Database, journey_id: str) -> dict[str, Any] | None:
    """The journey's own digest (``to``, ``locale``, ``every``), or None."""
    s = journey_settings.c
    found = row(
        db,
        sa.select(s.digest_to, s.digest_locale, s.digest_every).where(
            s.journey_id == journey_id, s.digest_every.is_not(None)
        ),
    )
    if found is None:
        return None
    return {
        "to": json.loads(found["digest_to"]),
        "locale": found["digest_locale"],
        "every": found["digest_every"],
    }


def journey_digests(db: Database) -> dict[str, dict[str, Any]]:
    """Every journey's own digest, by journey."""
    s = journey_settings.c
    wanted = sa.select(s.journey_id, s.digest_to, s.digest_locale, s.digest_every).where(
        s.digest_every.is_not(None)
    )
    return {
        d["journey_id"]: {
            "to": json.loads(d["digest_to"]),
            "locale": d["digest_locale"],
            "every": d["digest_every"],
        }
        for d in rows(db, wanted)
    }


def set_journey_digest(
    db: Database,
    journey_id: str,
    *,
    to: list[str],
    locale: str,
    every: str | None,
    by: str | None,
) -> None:
    """Set (``every`` None: stop) the journey's own digest, kept in the audit log."""
    values = {
        "digest_to": json.dumps(to) if every else None,
        "digest_locale": locale if every else None,
        "digest_every": every,
    }
    with transaction(db):
        keep(db, journey_id, values)
        record_audit(
            db, by, "journey.digest", journey_id, {"to": to, "locale": locale, "every": every}
        )
