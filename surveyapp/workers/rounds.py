"""How every background worker runs: one round, or a round every few seconds.

Each round takes a connection of its own, so a database that restarts or fails over
costs the worker one round, never the process; an error the next round may not meet (the
database away, an SMTP server down) is said and retried when looping, raised when run
once. Issue 29 supervises these loops; they all live here so that it changes one place.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from surveyapp import storage
from surveyapp.storage import Database


def run(
    round_: Callable[[Database], None],
    *,
    database: str,
    loop: bool,
    interval: float,
    warn: Callable[[str], None],
    passing: tuple[type[BaseException], ...] = (),
    why: Callable[[BaseException], str] = lambda exc: (
        f"The database is unavailable ({exc}); trying again."
    ),
) -> None:
    """Run ``round_(db)`` once, or every ``interval`` seconds with ``loop``; ``passing``
    are the errors besides the database's that a later round may not meet, ``why`` what
    ``warn`` is told when one happens."""
    while True:
        try:
            with storage.open_database(database) as db:
                round_(db)
        except (*storage.DATABASE_DOWN, *passing) as exc:
            if not loop:
                raise
            warn(why(exc))
        if not loop:
            return
        time.sleep(interval)
