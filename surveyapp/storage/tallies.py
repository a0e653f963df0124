"""Daily tallies: per journey, moment, UTC day, locale and channel, the running sums that
scores add up (kept in each response's own transaction by :mod:`.responses`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlite_utils import Database

from surveyapp.domain.scoring import TALLY_FIELDS

TALLY_UPSERT = (
    "INSERT INTO daily_tallies (journey_id, moment_id, day, locale, channel, "  # noqa: S608 # nosec B608
    f"{', '.join(TALLY_FIELDS)}) VALUES (?, ?, ?, ?, ?, {', '.join('?' for _ in TALLY_FIELDS)}) "
    "ON CONFLICT (journey_id, moment_id, day, locale, channel) DO UPDATE SET "
    + ", ".join(f"{f} = {f} + excluded.{f}" for f in TALLY_FIELDS)
)


def filters(journey_id, since, until, locale, channel, day_column="day"):
    where, params = ["journey_id = ?"], [journey_id]
    for clause, value in (
        (f"{day_column} >= ?", since.isoformat() if since else None),
        (f"{day_column} <= ?", until.isoformat() if until else None),
        ("locale = ?", locale),
        ("channel = ?", channel),
    ):
        if value is not None:
            where.append(clause)
            params.append(value)
    return " AND ".join(where), params


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
    where, params = filters(journey_id, since, until, locale, channel)
    sums = ", ".join(f"SUM({f}) AS {f}" for f in TALLY_FIELDS)
    sql = f"SELECT moment_id, {sums} FROM daily_tallies WHERE {where} GROUP BY moment_id"  # noqa: S608 # nosec B608
    return {row.pop("moment_id"): row for row in db.query(sql, params)}


def weekly_tallies(
    db: Database, journey_id: str, *, since=None, until=None, locale=None, channel=None
) -> dict[str, list[dict[str, Any]]]:
    """Per moment, per week (starting Monday): responses, positive, neutral, negative."""
    where, params = filters(journey_id, since, until, locale, channel)
    rows = db.query(
        "SELECT moment_id, date(day, '-6 days', 'weekday 1') AS week, SUM(responses) AS "  # noqa: S608 # nosec B608
        "responses, SUM(positive) AS positive, SUM(neutral) AS neutral, SUM(negative) AS "
        f"negative FROM daily_tallies WHERE {where} GROUP BY moment_id, week ORDER BY week",
        params,
    )
    weeks: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        weeks.setdefault(row.pop("moment_id"), []).append(row)
    return weeks
