"""Daily tallies: per journey, moment, UTC day, locale and channel, the running sums that
scores add up (kept in each response's own transaction by :mod:`.responses`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles

from surveyapp.domain.scoring import TALLY_FIELDS
from surveyapp.storage.database import Database
from surveyapp.storage.statements import counting_upsert, execute, once_per_dialect, rows
from surveyapp.storage.tables import daily_tallies
from surveyapp.storage.transactions import transaction

KEY = ("journey_id", "moment_id", "day", "locale", "channel")


_TALLY_UPSERT = once_per_dialect(counting_upsert(daily_tallies, KEY, TALLY_FIELDS))


def add_to_tallies(db: Database, rows: Sequence[Mapping[str, Any]]) -> None:
    """Add each row's increments (any of TALLY_FIELDS) to its day's tally row, creating it
    if needed: one upsert, whichever engine."""
    if not rows:
        return
    values = [{**dict.fromkeys(TALLY_FIELDS, 0), **row} for row in rows]
    execute(db, _TALLY_UPSERT(db), values[0] if len(values) == 1 else values)


def count_in_tally(db: Database, key: Mapping[str, Any], field: str) -> None:
    """Add one to ``field`` of the tally row ``key`` (journey_id, moment_id, day, locale,
    channel): a click on a review link, counted with the answer that offered it."""
    with transaction(db):
        add_to_tallies(db, [{**{k: key[k] for k in KEY}, field: 1}])


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
        found["moment_id"]: {f: int(found[f]) for f in TALLY_FIELDS}
        for found in rows(db, statement)
    }


def two_periods(
    db: Database,
    journey_id: str,
    *,
    current: tuple[date, date],
    previous: tuple[date, date],
    locale: str | None = None,
    channel: str | None = None,
) -> tuple[dict[str, int], dict[str, int]]:
    """A journey's tallies summed over all its moments in two periods (days inclusive;
    ``previous`` ends before ``current`` starts), read in one pass."""
    t = daily_tallies
    which = sa.case((t.c.day >= current[0].isoformat(), 0), else_=1).label("which")
    statement = (
        sa.select(which, *(sa.func.sum(t.c[f]).label(f) for f in TALLY_FIELDS))
        .where(*filters(t, journey_id, previous[0], current[1], locale, channel))
        .group_by(which)
    )
    totals = ({f: 0 for f in TALLY_FIELDS}, {f: 0 for f in TALLY_FIELDS})
    for found in rows(db, statement):
        totals[found["which"]].update({f: int(found[f]) for f in TALLY_FIELDS})
    return totals


WEEK_FIELDS = ("responses", "positive", "neutral", "negative")


class week_start(sa.sql.functions.FunctionElement):  # noqa: N801 - an SQL function's name
    """The Monday starting the week of an ISO day, as ISO text. The engines spell date
    arithmetic differently, so SQLAlchemy compiles it per dialect (its documented way to
    add an SQL construct)."""

    type = sa.Text()
    inherit_cache = True


@compiles(week_start, "sqlite")
def _week_start_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, '-6 days', 'weekday 1')"


@compiles(week_start, "postgresql")
def _week_start_postgresql(element, compiler, **kw):
    day = compiler.process(element.clauses, **kw)
    return f"to_char(date_trunc('week', CAST({day} AS date)), 'YYYY-MM-DD')"


def weekly_tallies(
    db: Database, journey_id: str, *, since=None, until=None, locale=None, channel=None
) -> dict[str, list[dict[str, Any]]]:
    """Per moment, per week (starting Monday, as an ISO date), oldest first: responses,
    positive, neutral, negative."""
    t = daily_tallies
    week = week_start(t.c.day).label("week")
    statement = (
        sa.select(t.c.moment_id, week, *(sa.func.sum(t.c[f]).label(f) for f in WEEK_FIELDS))
        .where(*filters(t, journey_id, since, until, locale, channel))
        .group_by(t.c.moment_id, week)
        .order_by(week)
    )
    weeks: dict[str, list[dict[str, Any]]] = {}
    for summed in rows(db, statement):
        found = dict(summed)
        weeks.setdefault(found.pop("moment_id"), []).append(
            {"week": found["week"], **{f: int(found[f]) for f in WEEK_FIELDS}}
        )
    return weeks
