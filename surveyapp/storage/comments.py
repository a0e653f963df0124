"""What customers said: a moment's free-text answers, listed and searched."""

from __future__ import annotations

import sqlalchemy as sa

from surveyapp.storage.database import Database
from surveyapp.storage.statements import findable, records
from surveyapp.storage.tables import responses


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def comments(
    db: Database,
    journey_id: str,
    moment_id: str,
    *,
    polarity: str | None = None,
    search: str | None = None,
    limit: int = 50,
    offset: int = 0,
):
    """What customers said about a moment, newest first; ``search`` ignores case on both
    engines (ILIKE on PostgreSQL, lower() on SQLite, which folds accents too)."""
    if not findable(search, moment_id, journey_id):
        return []
    r = responses.c
    where = [r.journey_id == journey_id, r.moment_id == moment_id, r.comment.is_not(None)]
    if polarity:
        where.append(r.polarity == polarity)
    if search:
        where.append(r.comment.ilike(_like(search), escape="\\"))
    return records(
        db,
        sa.select(r.id, r.created_at, r.polarity, r.comment, r.locale, r.channel, r.customer_ref)
        .where(*where)
        .order_by(r.created_at.desc(), r.id.desc())
        .limit(limit)
        .offset(offset),
    )
