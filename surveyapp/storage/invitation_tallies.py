"""The invitations' daily tallies: per journey, moment, UTC day an invitation was made
and its locale, how many were made, sent, opened by a person and answered, and how many
reached their customer (the response rate's denominator, so a link not yet sent is left
out). Each step adds to its count in the transaction that takes the step (an answer in
the response's own), so the response rate never reads the invitations themselves."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa

from surveyapp.storage.database import Database
from surveyapp.storage.statements import counting_upsert, execute, once_per_dialect, rows
from surveyapp.storage.tables import invitation_tallies

KEY = ("journey_id", "moment_id", "day", "locale")
STEPS = ("invited", "sent", "opened", "answered", "reached")


_UPSERT = once_per_dialect(counting_upsert(invitation_tallies, KEY, STEPS))


def key_of(invitation: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """The tally an invitation counts in: its journey, moment, day made, locale."""
    return (
        invitation["journey_id"],
        invitation["moment_id"],
        invitation["created_at"][:10],
        invitation["locale"],
    )


def count_steps(db: Database, steps: Mapping[tuple, Mapping[str, int]]) -> None:
    """Add ``{key: {step: n}}`` to the tallies, in the caller's transaction."""
    rows = [
        {**dict(zip(KEY, key, strict=True)), **dict.fromkeys(STEPS, 0), **counts}
        for key, counts in steps.items()
        if any(counts.values())
    ]
    if rows:
        execute(db, _UPSERT(db), rows[0] if len(rows) == 1 else rows)


def count_made(db: Database, invitations: Iterable[Mapping[str, Any]]) -> None:
    """Count invitations just made (in their transaction); a link without an email is
    handed to the company's own systems, so it reaches its customer now."""
    made: Counter = Counter()
    handed: Counter = Counter()
    for invitation in invitations:
        key = key_of(invitation)
        made[key] += 1
        handed[key] += invitation.get("email") is None
    count_steps(db, {key: {"invited": n, "reached": handed[key]} for key, n in made.items()})


def funnel(
    db: Database,
    journey_id: str,
    *,
    since: date | None = None,
    until: date | None = None,
    locale: str | None = None,
) -> dict[str, dict[str, int]]:
    """Per moment: invitations made in the period (days inclusive, by the day each was
    made), sent, opened by a person (an answer counts as opened), answered, and reached
    (handed out without an email, or emailed and sent or answered)."""
    t = invitation_tallies.c
    where = [t.journey_id == journey_id]
    if since:
        where.append(t.day >= since.isoformat())
    if until:
        where.append(t.day <= until.isoformat())
    if locale:
        where.append(t.locale == locale)
    summed = (
        sa.select(t.moment_id, *(sa.func.sum(t[s]).label(s) for s in STEPS))
        .where(*where)
        .group_by(t.moment_id)
    )
    return {found["moment_id"]: {s: int(found[s]) for s in STEPS} for found in rows(db, summed)}
