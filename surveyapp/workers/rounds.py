"""How every background worker runs: one round, or a round every few seconds, each
looping round followed by the worker's heartbeat.

Each round takes a connection of its own, so a database that restarts or fails over
costs the worker one round, never the process; an error the next round may not meet (the
database away, an SMTP server down) is said and retried when looping, raised when run
once. Any other error is recorded in the heartbeat and ends the process, which
``surveyapp serve``'s supervisor (workers/supervisor.py) starts again. The heartbeat
(storage/heartbeats.py) is what ``/readyz``, ``surveyapp workers`` and the admin's
background-work page read.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable

from surveyapp import storage
from surveyapp.storage import Database

#: The environment variable that names this node's ``surveyapp serve`` (set by serve for
#: its workers and web workers), and the one that lists the workers it supervises.
NODE_VARIABLE = "SURVEYAPP_NODE"
WORKERS_VARIABLE = "SURVEYAPP_NODE_WORKERS"


def node_name() -> str:
    """This node: the serve process that started us, else this machine."""
    return os.environ.get(NODE_VARIABLE) or socket.gethostname()


#: How this process's looping worker says it is alive within a long round (one a process).
_alive: list[Callable[[Database], None]] = [lambda db: None]


def still_working(db: Database) -> None:
    """Say, within a long round (an export of a million rows), that this worker is alive,
    so that it is not taken for late while it works; nothing when run once."""
    _alive[0](db)


def run(
    round_: Callable[[Database], None],
    *,
    name: str,
    database: str,
    loop: bool,
    interval: float,
    warn: Callable[[str], None],
    passing: tuple[type[BaseException], ...] = (),
    why: Callable[[BaseException], str] = lambda exc: (
        f"The database is unavailable ({exc}); trying again."
    ),
) -> None:
    """Run ``round_(db)`` once, or every ``interval`` seconds with ``loop``, beating as
    worker ``name``; ``passing`` are the errors besides the database's that a later
    round may not meet, ``why`` what ``warn`` is told when one happens."""
    started = storage.utcnow()

    def beat(db: Database, error: str | None, round_done: bool = True) -> None:
        # On the round's own connection: no second open per round.
        try:
            storage.heartbeats.beat(
                db,
                node=node_name(),
                name=name,
                pid=os.getpid(),
                started_at=started,
                every_seconds=interval,
                now=storage.utcnow(),
                error=error,
                round_done=round_done,
            )
        except Exception as exc:  # said, never in the way of the round's own outcome
            warn(f"The heartbeat could not be written ({exc}).")

    if loop:
        _alive[0] = lambda db: beat(db, None, round_done=False)

    while True:
        try:
            with storage.open_database(database) as db:
                error = None
                try:
                    round_(db)
                except (*storage.DATABASE_DOWN, *passing) as exc:
                    if not loop:
                        raise
                    error = why(exc)
                    warn(error)
                except Exception as exc:
                    if loop:
                        beat(db, f"{type(exc).__name__}: {exc}")
                    raise
                if loop:
                    beat(db, error)
        except storage.DATABASE_DOWN as exc:  # the database could not even be opened
            if not loop:
                raise
            warn(why(exc))
        if not loop:
            return
        time.sleep(interval)
