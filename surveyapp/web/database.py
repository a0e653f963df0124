"""The request's database connection, from the pool SQLAlchemy keeps in each worker
process (:func:`surveyapp.storage.connect`)."""

from __future__ import annotations

from flask import current_app, g

from surveyapp import storage


def get_db():
    """This request's database connection (taken from the pool at its first use). A
    request has its own, whether a worker serves requests one at a time, in threads or
    in greenlets."""
    if "db" not in g:
        g.db = storage.connect(current_app.config["DATABASE"])
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    """End of request: give the connection back to the pool, which ends any transaction
    left open."""
    db = g.pop("db", None)
    if db is not None:
        db.close()
