"""The request's database connection: one per worker thread, kept between requests."""

from __future__ import annotations

import os
import threading

from flask import current_app, g

from surveyapp import storage

_connections = threading.local()


def get_db():
    """The database connection of this worker thread, for this request.

    One connection per thread, kept between requests as Datasette does: opening and
    closing one per request made each close of the last connection checkpoint the
    WAL, the largest single cost of a submit (benchmarks/README.md). A gunicorn sync
    worker serves one request at a time, so the connection is never shared by two.
    """
    if "db" not in g:
        cached = getattr(_connections, "db", None)
        key = (os.getpid(), current_app.config["DATABASE"])
        if cached is None or _connections.key != key:
            cached = storage.connect(key[1])
            _connections.db, _connections.key = cached, key
        g.db = cached
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    """End of request: never leave a transaction open on the kept connection."""
    db = g.pop("db", None)
    if db is not None and db.conn.in_transaction:
        db.conn.rollback()
