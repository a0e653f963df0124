"""Retention: each journey's data older than the window its managers set, deleted or
anonymized by the jobs worker (once an hour, one node at a time), with the dry run a
manager reads before switching it on and the window every page of figures states."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from surveyapp import storage
from surveyapp.domain.governance_vocabulary import RETENTION_EVERY_HOURS
from surveyapp.storage import Database

EVERY = timedelta(hours=RETENTION_EVERY_HOURS)


def first_day(days: int, now: datetime) -> date:
    """The first day a window of ``days`` keeps: rows of earlier days are older."""
    return now.date() - timedelta(days=days)


def preview(db: Database, journey_id: str, days: int, action: str, now: datetime | None = None):
    """What switching retention on would change now (the dry run): rows of each kind."""
    before = first_day(days, now or storage.utcnow())
    return storage.retention.count_older(db, journey_id, before, action)


def coverage(db: Database, journey_id: str, now: datetime | None = None) -> dict[str, Any] | None:
    """The journey's window as pages state it (``days``, ``action``, ``since``: the first
    day kept), or None when its data is kept without limit."""
    found = storage.retention.window(db, journey_id)
    if found is None:
        return None
    return {**found, "since": first_day(found["days"], now or storage.utcnow())}


def apply_due(db: Database, now: datetime | None = None) -> dict[str, dict[str, int]]:
    """Apply every journey's retention not applied within the hour: what changed, by
    journey. However many nodes run the jobs worker, one applies it at a time."""
    now = now or storage.utcnow()
    changed: dict[str, dict[str, int]] = {}
    with storage.exclusive(db, "retention") as ours:
        if not ours:
            return changed
        for journey in storage.retention.due(db, now, EVERY):
            before = first_day(journey["days"], now)
            counts = storage.retention.apply(
                db, journey["journey_id"], before, journey["action"], now=now
            )
            changed[journey["journey_id"]] = counts
    return changed
