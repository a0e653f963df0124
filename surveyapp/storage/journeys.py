"""Stored journeys: their definitions, their moments in order, retired moments."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from surveyapp.domain.journeys import Journey, Moment
from surveyapp.storage.database import immediate, iso, utcnow


@dataclass
class LoadReport:
    """What storing one definition changed."""

    journey_id: str
    status: str  # created, updated or unchanged
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)

    def describe(self) -> str:
        if self.status != "updated":
            return f"{self.journey_id}: {self.status}"
        parts = [
            f"{label} {', '.join(ids)}"
            for label, ids in (
                ("added", self.added),
                ("changed", self.changed),
                ("retired", self.retired),
                ("restored", self.restored),
            )
            if ids
        ]
        return f"{self.journey_id}: updated ({'; '.join(parts) or 'brand, locales or order'})"


def store_journeys(db: Database, journeys: Iterable[Journey]) -> list[LoadReport]:
    """Store validated definitions, all in one transaction; report what changed.

    A moment missing from a new version is retired, never deleted, so its
    responses keep counting in its history.
    """
    now = iso(utcnow())
    reports = []
    with immediate(db):  # reads each digest, then writes: take the write lock first
        for journey in journeys:
            reports.append(_store_journey(db, journey, now))
    return reports


def _store_journey(db: Database, journey: Journey, now: str) -> LoadReport:
    row = db.execute("SELECT digest FROM journeys WHERE id = ?", [journey.id]).fetchone()
    if row and row[0] == journey.digest:
        return LoadReport(journey.id, "unchanged")
    report = LoadReport(journey.id, "updated" if row else "created")
    definition = json.dumps(journey.to_dict(), ensure_ascii=False)
    db.execute(
        """INSERT INTO journeys (id, brand, default_locale, locales, definition, digest,
                                 created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET brand = excluded.brand,
               default_locale = excluded.default_locale, locales = excluded.locales,
               definition = excluded.definition, digest = excluded.digest,
               updated_at = excluded.updated_at""",
        [
            journey.id,
            journey.brand,
            journey.default_locale,
            json.dumps(journey.locales),
            definition,
            journey.digest,
            now,
            now,
        ],
    )
    existing = {
        r["id"]: r for r in db.query("SELECT * FROM moments WHERE journey_id = ?", [journey.id])
    }
    for position, moment in enumerate(journey.moments):
        values = _moment_row(journey.id, position, moment)
        old = existing.pop(moment.id, None)
        if row and old is None:
            report.added.append(moment.id)
        elif old is not None:
            if old["retired"]:
                report.restored.append(moment.id)
            elif any(old[k] != values[k] for k in ("kind", "channel", "name", "questions")):
                report.changed.append(moment.id)
        db.execute(
            """INSERT INTO moments (journey_id, id, position, kind, channel, name, questions,
                                    retired)
               VALUES (:journey_id, :id, :position, :kind, :channel, :name, :questions, 0)
               ON CONFLICT (journey_id, id) DO UPDATE SET position = excluded.position,
                   kind = excluded.kind, channel = excluded.channel, name = excluded.name,
                   questions = excluded.questions, retired = 0""",
            values,
        )
    for offset, (moment_id, old) in enumerate(
        sorted(existing.items(), key=lambda item: item[1]["position"])
    ):
        if not old["retired"]:
            report.retired.append(moment_id)
        db.execute(
            "UPDATE moments SET retired = 1, position = ? WHERE journey_id = ? AND id = ?",
            [len(journey.moments) + offset, journey.id, moment_id],
        )
    return report


def _moment_row(journey_id: str, position: int, moment: Moment) -> dict[str, Any]:
    return {
        "journey_id": journey_id,
        "id": moment.id,
        "position": position,
        "kind": moment.kind,
        "channel": moment.channel,
        "name": json.dumps(moment.name, ensure_ascii=False, sort_keys=True),
        "questions": json.dumps(list(moment.questions)) if moment.questions else None,
    }


# Parsed definitions by digest: a digest always names the same definition, so an entry
# is never stale, and every worker sees a reloaded journey at its next request.
_parsed: dict[str, Journey] = {}


def get_journey(db: Database, journey_id: str) -> Journey | None:
    """The journey's current definition, or None if no such journey is stored."""
    row = db.execute(
        "SELECT digest, definition FROM journeys WHERE id = ?", [journey_id]
    ).fetchone()
    return journey_of(row[0], row[1]) if row else None


def journey_of(digest: str, definition: str) -> Journey:
    journey = _parsed.get(digest)
    if journey is None:
        if len(_parsed) > 512:
            _parsed.clear()
        journey = _parsed[digest] = Journey.from_dict(json.loads(definition))
    return journey


def retired_moments(db: Database, journey_id: str) -> list[Moment]:
    """Moments a later definition removed; their responses are kept and still reported."""
    return [
        Moment(
            id=r["id"],
            kind=r["kind"],
            name=json.loads(r["name"]),
            channel=r["channel"],
            questions=tuple(json.loads(r["questions"])) if r["questions"] else None,
        )
        for r in db.query(
            "SELECT * FROM moments WHERE journey_id = ? AND retired = 1 ORDER BY position",
            [journey_id],
        )
    ]


def list_journeys(db: Database) -> list[dict[str, Any]]:
    """Every journey with its moment and response counts and last response time."""
    return list(
        db.query(
            """SELECT j.id, j.brand, j.default_locale, j.locales, j.updated_at,
                      (SELECT COUNT(*) FROM moments m
                        WHERE m.journey_id = j.id AND m.retired = 0) AS moments,
                      (SELECT COALESCE(SUM(t.responses), 0) FROM daily_tallies t
                        WHERE t.journey_id = j.id) AS responses,
                      (SELECT MAX(r.created_at) FROM responses r
                        WHERE r.journey_id = j.id) AS last_response_at
               FROM journeys j ORDER BY j.id"""
        )
    )
