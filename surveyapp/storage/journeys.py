"""Stored journeys: their definitions, their moments in order, retired moments."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from cachetools import LRUCache, cached

from surveyapp.domain.journeys import Journey, Moment
from surveyapp.storage.database import Database, iso, utcnow
from surveyapp.storage.journey_versions import StaleVersion, add_version, latest_number
from surveyapp.storage.statements import (
    execute,
    findable,
    insert,
    prepared,
    records,
    row,
    rows,
    value,
)
from surveyapp.storage.tables import daily_tallies, logos, moments, responses
from surveyapp.storage.tables import journeys as journeys_table
from surveyapp.storage.transactions import lock, transaction


@dataclass
class LoadReport:
    """What storing one definition changed."""

    journey_id: str
    status: str  # created, updated or unchanged
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    version: int | None = None  # the version this load published (None: unchanged)

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


def logo(db: Database, sha256: str) -> tuple[str, bytes] | None:
    """A stored logo's content type and bytes."""
    if not findable(sha256):
        return None
    found = row(db, sa.select(logos.c.content_type, logos.c.data).where(logos.c.sha256 == sha256))
    return (found["content_type"], bytes(found["data"])) if found else None


def store_journeys(
    db: Database,
    journeys: Iterable[Journey],
    *,
    author: str | None = None,
    based_on: int | None = None,
) -> list[LoadReport]:
    """Store validated definitions, all in one transaction; report what changed. Each
    changed definition is kept as the journey's next version, by ``author``.

    A moment missing from a new version is retired, never deleted, so its
    responses keep counting in its history. With ``based_on`` (the version a change in
    the browser started from), a journey published since then is refused whole
    (StaleVersion): the second of two admins never overwrites the first.
    """
    now = iso(utcnow())
    reports = []
    with transaction(db):
        for journey in journeys:
            # Each digest is read, then written: two loads of one journey take turns.
            lock(db, f"journey:{journey.id}")
            if based_on is not None:
                latest = latest_number(db, journey.id)
                if latest != based_on:
                    raise StaleVersion(journey.id, based_on, latest)
            reports.append(_store_journey(db, journey, now, author))
    return reports


MOMENT_FIELDS = ("position", "kind", "channel", "name", "questions")


def keep_logo(db: Database, logo, now: str) -> None:
    """Store a checked logo's bytes under its SHA-256 (once: the same file is kept once),
    for a definition to name it (in the caller's transaction when there is one)."""
    with transaction(db):
        execute(
            db,
            insert(db, logos)
            .values(
                sha256=logo.sha256, content_type=logo.content_type, data=logo.data, created_at=now
            )
            .on_conflict_do_nothing(index_elements=["sha256"]),
        )


def _store_journey(db: Database, journey: Journey, now: str, author: str | None) -> LoadReport:
    j, m = journeys_table.c, moments.c
    stored = row(db, sa.select(j.digest, j.definition).where(j.id == journey.id))
    if stored and stored["digest"] == journey.digest:
        return LoadReport(journey.id, "unchanged")
    try:
        previous = journey_of(stored["digest"], stored["definition"]) if stored else None
    except (KeyError, TypeError, ValueError):
        previous = None  # a file from before definitions were kept: its moments' columns
    report = LoadReport(journey.id, "updated" if stored else "created")
    logo = journey.branding.logo if journey.branding else None
    if logo is not None and logo.data is not None:
        keep_logo(db, logo, now)
    definition = json.dumps(journey.to_dict(), ensure_ascii=False)
    values = {
        "id": journey.id,
        "brand": journey.brand,
        "default_locale": journey.default_locale,
        "locales": json.dumps(journey.locales),
        "definition": definition,
        "digest": journey.digest,
        "created_at": now,
        "updated_at": now,
    }
    statement = insert(db, journeys_table).values(values)
    execute(
        db,
        statement.on_conflict_do_update(
            index_elements=["id"],
            set_={k: statement.excluded[k] for k in values if k not in ("id", "created_at")},
        ),
    )
    report.version = add_version(db, journey, definition, author, now)
    existing = {
        r["id"]: r for r in records(db, sa.select(moments).where(m.journey_id == journey.id))
    }
    for position, moment in enumerate(journey.moments):
        values = _moment_row(journey.id, position, moment)
        old = existing.pop(moment.id, None)
        if stored and old is None:
            report.added.append(moment.id)
        elif old is not None:
            if old["retired"]:
                report.restored.append(moment.id)
            elif (
                previous.moment(moment.id) != moment  # any field, description included
                if previous is not None
                else any(old[k] != values[k] for k in ("kind", "channel", "name", "questions"))
            ):
                report.changed.append(moment.id)
        statement = insert(db, moments).values(**values, retired=0)
        execute(
            db,
            statement.on_conflict_do_update(
                index_elements=["journey_id", "id"],
                set_={
                    **{k: statement.excluded[k] for k in MOMENT_FIELDS},
                    "retired": 0,
                },
            ),
        )
    for offset, (moment_id, old) in enumerate(
        sorted(existing.items(), key=lambda item: item[1]["position"])
    ):
        if not old["retired"]:
            report.retired.append(moment_id)
        execute(
            db,
            sa.update(moments)
            .where(m.journey_id == journey.id, m.id == moment_id)
            .values(retired=1, position=len(journey.moments) + offset),
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
#: Journeys parsed in this worker, by definition digest: the least recently used go first.
_parsed: LRUCache[str, Journey] = LRUCache(maxsize=512)
_parsed_lock = threading.Lock()  # cachetools' caches are not thread-safe by themselves


def get_journey(db: Database, journey_id: str) -> Journey | None:
    """The journey's current definition, or None if no such journey is stored."""
    if not findable(journey_id):
        return None
    digest = value(db, _DIGEST, {"journey": journey_id})
    return current_journey(db, journey_id, digest) if digest else None


# Every survey page reads them: built once.
_DIGEST = prepared(
    sa.select(journeys_table.c.digest).where(journeys_table.c.id == sa.bindparam("journey"))
)
_JOURNEY = prepared(
    sa.select(journeys_table.c.digest, journeys_table.c.definition).where(
        journeys_table.c.id == sa.bindparam("journey")
    )
)


def current_journey(db: Database, journey_id: str, digest: str) -> Journey | None:
    """The journey whose definition has this digest, as just read from its row: parsed
    once per worker. Pages read the digest only (a definition is kilobytes of JSON) and
    the definition when the digest is new to this worker (None if it was just removed)."""
    with _parsed_lock:
        journey = _parsed.get(digest)
    if journey is None:
        found = row(db, _JOURNEY, {"journey": journey_id})
        if found is None:
            return None
        # newer than ``digest``, if it just changed
        journey = journey_of(found["digest"], found["definition"])
    return journey


@cached(_parsed, key=lambda digest, definition: digest, lock=_parsed_lock)
def journey_of(digest: str, definition: str) -> Journey:
    """The journey of a stored definition, parsed once per worker for each digest."""
    return Journey.from_dict(json.loads(definition))


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
        for r in records(
            db,
            sa.select(moments)
            .where(moments.c.journey_id == journey_id, moments.c.retired == 1)
            .order_by(moments.c.position),
        )
    ]


def all_journeys(db: Database) -> list[Journey]:
    """Every stored journey, in id order, in one query."""
    j = journeys_table.c
    stored = rows(db, sa.select(j.digest, j.definition).order_by(j.id))
    return [journey_of(found["digest"], found["definition"]) for found in stored]


def list_journeys(db: Database) -> list[dict[str, Any]]:
    """Every journey with its moment and response counts and last response time."""
    j, m, t, r = journeys_table.c, moments.c, daily_tallies.c, responses.c
    return records(
        db,
        sa.select(
            j.id,
            j.brand,
            j.default_locale,
            j.locales,
            j.updated_at,
            sa.select(sa.func.count())
            .where(m.journey_id == j.id, m.retired == 0)
            .scalar_subquery()
            .label("moments"),
            sa.select(sa.func.coalesce(sa.func.sum(t.responses), 0))
            .where(t.journey_id == j.id)
            .scalar_subquery()
            .label("responses"),
            sa.select(sa.func.max(r.created_at))
            .where(r.journey_id == j.id)
            .scalar_subquery()
            .label("last_response_at"),
        ).order_by(j.id),
    )
