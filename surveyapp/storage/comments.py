"""What customers said: a moment's free-text answers, listed and searched."""

from __future__ import annotations

import sqlalchemy as sa

from surveyapp.domain.vocabulary import Polarity
from surveyapp.storage.comment_search import holding
from surveyapp.storage.database import Database
from surveyapp.storage.statements import findable, records, stream
from surveyapp.storage.tables import followups, responses
from surveyapp.storage.tallies import filters


def comments(
    db: Database,
    journey_id: str,
    moment_id: str,
    *,
    polarity: str | None = None,
    search: str | None = None,
    since=None,
    until=None,
    locale: str | None = None,
    limit: int = 50,
    offset: int = 0,
):
    """What customers said about a moment, newest first, within a day range and a
    language; ``search``: those holding its words (storage/comment_search.py)."""
    if not findable(search, moment_id, journey_id):
        return []
    r = responses.c
    where = [
        *filters(responses, journey_id, since, until, locale, None),
        r.moment_id == moment_id,
        r.comment.is_not(None),
    ]
    if polarity:
        where.append(r.polarity == polarity)
    if search:
        where.append(holding(db, search))
    return records(
        db,
        sa.select(r.id, r.created_at, r.polarity, r.comment, r.locale, r.channel, r.customer_ref)
        .where(*where)
        .order_by(r.created_at.desc(), r.id.desc())
        .limit(limit)
        .offset(offset),
    )


def sided_comments(
    db: Database,
    journey_id: str,
    moment_id: str,
    *,
    since=None,
    until=None,
    locale=None,
    limit: int | None = None,
):
    """A moment's comments on a positive or negative answer within a day range, newest
    first and at most ``limit``, one at a time (for its terms): id, polarity, comment,
    locale, created_at, and whether its follow-up item exists."""
    if not findable(moment_id, journey_id):
        return
    r = responses.c
    statement = (
        sa.select(
            r.id,
            r.polarity,
            r.comment,
            r.locale,
            r.created_at,
            followups.c.response_id.is_not(None).label("item"),
        )
        .outerjoin(followups, followups.c.response_id == r.id)
        .where(
            *filters(responses, journey_id, since, until, locale, None),
            r.moment_id == moment_id,
            r.comment.is_not(None),
            r.polarity.in_((Polarity.POSITIVE, Polarity.NEGATIVE)),
        )
        .order_by(r.created_at.desc(), r.id.desc())
        .limit(limit)
        .execution_options(yield_per=2000)
    )
    yield from stream(db, statement)
