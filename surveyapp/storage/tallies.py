"""Daily tallies: per journey, moment, UTC day, locale and channel, the running sums that
scores add up (kept in each response's own transaction by :mod:`.responses`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from surveyapp.domain.scoring import TALLY_FIELDS
from surveyapp.storage.database import Database, insert
from surveyapp.storage.tables import daily_tallies

KEY = ("journey_id", "moment_id", "day", "locale", "channel")


def add_to_tallies(db: Database, rows: Sequence[Mapping[str, Any]]) -> None:
    """Add each row's increments (any of TALLY_FIELDS) to its day's tally row, creating it
    if needed: one upsert, whichever engine."""
    if not rows:
        return
    values = [{**dict.fromkeys(TALLY_FIELDS, 0), **row} for row in rows]
    statement = insert(db, daily_tallies)
    statement = statement.on_conflict_do_update(
        index_elements=list(KEY),
        set_={f: daily_tallies.c[f] + statement.excluded[f] for f in TALLY_FIELDS},
    )
    db.execute(statement, values)


def filters(table: sa.Table, journey_id, since, until, locale, channel) -> list:
    """The WHERE clauses of a journey's rows within a day range, a locale and a channel."""
    where = [table.c.journey_id == journey_id]
    if since:
        where.append(table.c.day >= since.isoformat())
    if until:
        where.append(table.c.day <= until.isoformat())
    if locale is not None:
        where.append(table.c.locale == locale)
    if channel is not None:
        where.append(table.c.channel == channel)
    return where


def moment_tallies(
    db: Database,
    journey_id: str,
    *,
    since: date | None = None,
    until: date | None = None,
    locale: str | None = None,
    channel: str | None = None,
) -> dict[str, dict[str, int]]:
    """Each moment's tallies summed over the filters (days inclusive)."""
    t = daily_tallies
    statement = (
        sa.select(t.c.moment_id, *(sa.func.sum(t.c[f]).label(f) for f in TALLY_FIELDS))
        .where(*filters(t, journey_id, since, until, locale, channel))
        .group_by(t.c.moment_id)
    )
    return {
        row.moment_id: {f: int(row._mapping[f]) for f in TALLY_FIELDS}
        for row in db.execute(statement)
    }


WEEK_FIELDS = ("responses", "positive", "neutral", "negative")


def weekly_tallies(
    db: Database, journey_id: str, *, since=None, until=None, locale=None, channel=None
) -> dict[str, list[dict[str, Any]]]:
    """Per moment, per week (starting Monday, as an ISO date): responses, positive,
    neutral, negative. Summed per day by the database, folded into weeks here, so no
    engine's date functions are needed."""
    t = daily_tallies
    statement = (
        sa.select(t.c.moment_id, t.c.day, *(sa.func.sum(t.c[f]).label(f) for f in WEEK_FIELDS))
        .where(*filters(t, journey_id, since, until, locale, channel))
        .group_by(t.c.moment_id, t.c.day)
    )
    weeks: dict[str, dict[str, dict[str, Any]]] = {}
    for row in db.execute(statement):
        day = date.fromisoformat(row.day)
        monday = (day - timedelta(days=day.weekday())).isoformat()
        week = weeks.setdefault(row.moment_id, {}).setdefault(
            monday, {"week": monday, **dict.fromkeys(WEEK_FIELDS, 0)}
        )
        for f in WEEK_FIELDS:
            week[f] += int(row._mapping[f])
    return {moment: [found[w] for w in sorted(found)] for moment, found in weeks.items()}
