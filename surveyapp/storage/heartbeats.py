"""Background workers' heartbeats: one row per worker and node, written after each round."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from surveyapp.storage.database import Database, iso, parse_iso
from surveyapp.storage.statements import execute, insert, records
from surveyapp.storage.tables import worker_beats
from surveyapp.storage.transactions import transaction

#: A worker is late when it has not beaten for this many of its rounds (and at least
#: the operator's WORKER_STALE_SECONDS).
LATE_AFTER_ROUNDS = 3


def beat(
    db: Database,
    *,
    node: str,
    name: str,
    pid: int,
    started_at: datetime,
    every_seconds: float,
    now: datetime,
    error: str | None = None,
    round_done: bool = True,
) -> None:
    """Record a round of worker ``name`` on ``node`` (``error``: why it failed), or with
    ``round_done`` False only that it is alive, within a long round. A new process id
    for the same worker and node counts as a restart."""
    w = worker_beats.c
    values = {
        "pid": pid,
        "started_at": iso(started_at),
        "beat_at": iso(now),
        "every_seconds": max(1, round(every_seconds)),
    }
    first = {**values, "node": node, "name": name, "rounds": int(round_done)}
    first["failures"] = int(bool(error))
    if error:
        first.update(last_error=error[:1000], last_error_at=iso(now))
    later = {
        **values,
        "rounds": w.rounds + int(round_done),
        "failures": w.failures + int(bool(error)),
        "restarts": w.restarts + sa.case((w.pid != pid, 1), else_=0),
    }
    if error:
        later.update(last_error=error[:1000], last_error_at=iso(now))
    statement = insert(db, worker_beats).values(first)
    with transaction(db):
        execute(db, statement.on_conflict_do_update(index_elements=["node", "name"], set_=later))


def beats(db: Database, *, since: datetime | None = None) -> list[dict[str, Any]]:
    """Every worker's last heartbeat (those beating since ``since``), by node and name."""
    w = worker_beats.c
    statement = sa.select(worker_beats).order_by(w.node, w.name)
    if since is not None:
        statement = statement.where(w.beat_at >= iso(since))
    return records(db, statement)


def is_late(beat_row: dict[str, Any], now: datetime, stale_seconds: float) -> bool:
    """Whether a worker has gone quiet for longer than it may."""
    allowed = max(stale_seconds, LATE_AFTER_ROUNDS * beat_row["every_seconds"])
    return now - parse_iso(beat_row["beat_at"]) > timedelta(seconds=allowed)
