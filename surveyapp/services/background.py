"""The state of the background work, as ``surveyapp workers`` and the admin's page show
it: each worker's heartbeat on each node, and each queue's depth and oldest item."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from surveyapp import storage
from surveyapp.storage import Database

#: Nodes whose workers have not beaten for this long are gone, and not shown.
FORGET_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Worker:
    """A worker on a node: its last heartbeat, and whether it is late."""

    node: str
    name: str
    pid: int
    beat_at: datetime
    rounds: int
    failures: int
    restarts: int
    last_error: str | None
    last_error_at: datetime | None
    late: bool


@dataclass(frozen=True)
class Queue:
    """Work waiting: how much, since when the oldest waits, how much was set aside."""

    name: str
    waiting: int
    oldest_at: datetime | None
    set_aside: int


def state(db: Database, *, now: datetime, stale_seconds: float) -> tuple[list[Worker], list[Queue]]:
    """Every worker seen in the last day, and every queue."""
    workers = [
        Worker(
            node=b["node"],
            name=b["name"],
            pid=b["pid"],
            beat_at=storage.parse_iso(b["beat_at"]),
            rounds=b["rounds"],
            failures=b["failures"],
            restarts=b["restarts"],
            last_error=b["last_error"],
            last_error_at=_when(b["last_error_at"]),
            late=storage.heartbeats.is_late(b, now, stale_seconds),
        )
        for b in storage.heartbeats.beats(db, since=now - FORGET_AFTER)
    ]
    queues = [
        Queue(
            name,
            q["waiting"],
            storage.parse_iso(q["oldest_at"]) if q["oldest_at"] else None,
            q["set_aside"],
        )
        for name, q in (
            ("webhooks", storage.webhooks.queue_state(db)),
            ("mail", storage.mail_queue.queue_state(db)),
            ("customer_mail", storage.customer_emails.queue_state(db)),
            ("resets", storage.reset_requests.queue_state(db)),
            ("jobs", storage.jobs.queue_state(db)),
            ("digests", storage.digests.failures_state(db)),
        )
    ]
    return workers, queues


def _when(stamp: str | None) -> datetime | None:
    return storage.parse_iso(stamp) if stamp else None
