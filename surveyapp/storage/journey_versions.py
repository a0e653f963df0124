"""A journey's published versions: each definition stored, numbered, with its author."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from surveyapp.domain.errors import Conflict
from surveyapp.domain.journeys import Journey
from surveyapp.storage.database import Database
from surveyapp.storage.statements import execute, rows, value
from surveyapp.storage.tables import journey_versions

v = journey_versions.c


class StaleVersion(Conflict):
    """Someone published the journey since the version a change started from; nothing
    was stored. ``latest`` is the version now published."""

    def __init__(self, journey_id: str, expected: int, latest: int):
        self.journey_id, self.expected, self.latest = journey_id, expected, latest
        self.code = "stale_version"
        super().__init__(f"{journey_id}: version {latest} was published since version {expected}")


def latest_number(db: Database, journey_id: str) -> int:
    """The number of the journey's newest version (0: none)."""
    return value(db, sa.select(sa.func.max(v.number)).where(v.journey_id == journey_id)) or 0


def add_version(
    db: Database, journey: Journey, definition: str, author: str | None, now: str
) -> int:
    """Keep a newly published definition as the journey's next version (in the
    publishing transaction, which holds the journey's lock); its number."""
    number = latest_number(db, journey.id) + 1
    execute(
        db,
        sa.insert(journey_versions).values(
            journey_id=journey.id,
            number=number,
            digest=journey.digest,
            definition=definition,
            author=author,
            created_at=now,
        ),
    )
    return number


def versions(db: Database, journey_id: str) -> list[dict[str, Any]]:
    """The journey's versions, newest first: number, author, time, moments."""
    published = rows(
        db,
        sa.select(v.number, v.author, v.created_at, v.definition)
        .where(v.journey_id == journey_id)
        .order_by(v.number.desc()),
    )
    return [
        {
            "number": r["number"],
            "author": r["author"],
            "created_at": r["created_at"],
            "moments": len(json.loads(r["definition"])["moments"]),
        }
        for r in published
    ]


def version(db: Database, journey_id: str, number: int) -> Journey | None:
    """The journey as its version ``number`` defined it."""
    definition = value(
        db, sa.select(v.definition).where(v.journey_id == journey_id, v.number == number)
    )
    return Journey.from_dict(json.loads(definition)) if definition else None
