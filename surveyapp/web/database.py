"""The request's database connection, from a small pool kept by each worker process."""

from __future__ import annotations

import os

from flask import current_app, g

from surveyapp import storage

# Idle connections by (process, database file). A request takes one and gives it back at
# its end, so two requests never share a connection, whether a worker serves them one at
# a time, in threads or in greenlets; and connections are kept between requests, as
# Datasette keeps them: opening and closing one per request made each close of the last
# connection checkpoint the WAL, the largest single cost of a submit (benchmarks/README.md).
# list.pop() and list.append() are atomic, so the pool needs no lock of its own.
_idle: dict[tuple[int, str], list] = {}


def get_db():
    """This request's database connection (taken from the pool at its first use)."""
    if "db" not in g:
        key = (os.getpid(), current_app.config["DATABASE"])  # never one inherited by fork
        pool = _idle.setdefault(key, [])
        try:
            db = pool.pop()
        except IndexError:
            db = storage.connect(key[1])
        g.db, g.db_key = db, key
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    """End of request: never leave a transaction open, and give the connection back."""
    db = g.pop("db", None)
    if db is not None:
        if db.conn.in_transaction:
            db.conn.rollback()
        _idle.setdefault(g.pop("db_key"), []).append(db)
