"""The database: a SQLite file (the embedded default) or a PostgreSQL server, opened
through SQLAlchemy Core; its setting, engines and pools, backups, stored times.

The only module that knows the engines' connection details. Every other storage module
takes the connection it returns and writes its queries once, with SQLAlchemy Core, for
both engines; where the engines differ, :mod:`.transactions` (locks) and
:mod:`.statements` (upserts) hold the difference.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from surveyapp.domain.errors import Unavailable

#: What storage functions take: one connection, used by one request or command at a time.
Database = sa.Connection

BUSY_TIMEOUT_MS = 5000
#: Idle connections each process keeps per database (more are opened under load).
POOL_SIZE = 16
POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


class DatabaseUnavailable(Unavailable):
    """The database setting is wrong or the server cannot be reached; the message, one
    line without the password, says which."""


#: What a request meets when the database goes away (a server restarting, a failover, a
#: network cut; SQLite still locked after its busy timeout): nothing of the transaction
#: was kept, and the request may simply be tried again. The pool replaces a dead
#: connection on its next use (pre-ping), so the service needs no restart.
DATABASE_DOWN = (DatabaseUnavailable, sa.exc.OperationalError, sa.exc.InterfaceError)


def database_url(target: str | Path) -> sa.URL:
    """The SQLAlchemy URL of a ``SURVEYAPP_DATABASE`` value: a file path (SQLite) or a
    ``postgresql://user:password@host:port/dbname`` URL."""
    text = str(target)
    if "://" not in text:
        return sa.URL.create("sqlite+pysqlite", database=str(Path(text).resolve()))
    scheme = text.split("://", 1)[0].lower()
    if scheme in POSTGRES_SCHEMES:
        try:
            url = sa.make_url(text)
        except sa.exc.ArgumentError:
            raise DatabaseUnavailable(
                "SURVEYAPP_DATABASE is not a valid URL: write "
                "postgresql://user:password@host:port/dbname"
            ) from None
        if not url.database:
            raise DatabaseUnavailable(
                "SURVEYAPP_DATABASE names no database: write postgresql://user:password@"
                "host:port/dbname"
            )
        return url.set(drivername="postgresql+psycopg")
    if scheme in ("sqlite", "sqlite+pysqlite"):
        return sa.make_url(text).set(drivername="sqlite+pysqlite")
    raise DatabaseUnavailable(
        f"SURVEYAPP_DATABASE uses {scheme}://, which is not supported: give a file path "
        "(SQLite) or a postgresql://user:password@host:port/dbname URL"
    )


def describe(target: str | Path) -> str:
    """The database for messages: the file, or the URL without its password."""
    url = database_url(target)
    if url.drivername.startswith("sqlite"):
        return str(url.database)
    return url.render_as_string(hide_password=True).replace("postgresql+psycopg", "postgresql")


_engines: dict[str, sa.Engine] = {}
# A child process never uses its parent's engines (their pooled connections belong to
# the parent): it starts with none. Gunicorn's workers are forked from the master, which
# opened the database to check its schema.
os.register_at_fork(after_in_child=_engines.clear)


def engine(target: str | Path) -> sa.Engine:
    """This process's engine (and connection pool) for a database; never one inherited
    from a parent process by fork. Found by the setting as given first: every request
    asks, and reading the setting into a URL costs a tenth of a millisecond."""
    key = target if isinstance(target, str) else str(target)
    found = _engines.get(key)
    if found is None:
        url = database_url(target)
        same = url.render_as_string(hide_password=False)
        found = _engines.get(same)
        if found is None:
            sqlite_file = url.drivername.startswith("sqlite")
            found = _sqlite_engine(url) if sqlite_file else _postgres_engine(url)
        _engines[key] = _engines[same] = found
    return found


def _sqlite_engine(url: sa.URL) -> sa.Engine:
    # Connections are kept between requests, as Datasette keeps them: closing the last
    # connection checkpoints the WAL, the largest single cost of a submit when it was
    # done per request (benchmarks/README.md). The timeout is SQLite's busy timeout.
    created = sa.create_engine(
        url,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        poolclass=sa.pool.QueuePool,
        pool_size=POOL_SIZE,
        max_overflow=-1,
    )

    @sa.event.listens_for(created, "connect")
    def _configure(dbapi_connection, _record):
        # The driver's own implicit BEGIN is off: reads run without a transaction as
        # before, and a write transaction begins as _begin says.
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys = ON")
        # In WAL mode NORMAL loses nothing when the process dies, only on power loss.
        dbapi_connection.execute("PRAGMA synchronous = NORMAL")
        # SQLite's lower() only folds ASCII; Python's folds "É" as PostgreSQL does, so an
        # address matched without case (accounts, a customer's data) is the same on both.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)

    @sa.event.listens_for(created, "begin")
    def _begin(connection):
        # Straight to the driver: a statement through SQLAlchemy's execution path costs
        # about 0.1 ms, and every submit begins a transaction.
        if connection.info.get("writing"):
            driver_execute(connection, "BEGIN IMMEDIATE")
        elif connection.info.get("snapshot"):
            driver_execute(connection, "BEGIN")  # one snapshot (WAL)

    return created


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def _postgres_engine(url: sa.URL) -> sa.Engine:
    try:
        import psycopg  # noqa: F401
    except ModuleNotFoundError:
        raise DatabaseUnavailable(
            'PostgreSQL needs its driver: pip install "surveyapp[postgres]"'
        ) from None
    pool = os.environ.get("SURVEYAPP_DATABASE_POOL", "10")
    if not (pool.isascii() and pool.isdigit() and 1 <= int(pool) <= 1000):
        raise DatabaseUnavailable(
            f"SURVEYAPP_DATABASE_POOL is the connections each worker keeps (1 to 1000), "
            f"not {pool!r}"
        )
    # pre_ping: after a database restart or failover, a pooled connection that died is
    # replaced instead of failing the request that draws it.
    return sa.create_engine(
        url,
        pool_size=int(pool),
        max_overflow=20,
        pool_pre_ping=True,
        connect_args={"connect_timeout": 5, "application_name": "surveyapp"},
    )


def driver_execute(db: Database, sql: str, parameters: Any = ()):
    """Run SQL on the connection's driver cursor; a driver error comes out as
    SQLAlchemy's, and a connection the server dropped is invalidated (the pool replaces
    it). The cursor."""
    dbapi = db.dialect.loaded_dbapi
    fairy = db.connection
    cursor = fairy.driver_connection.cursor()
    try:
        cursor.execute(sql, parameters)
    except dbapi.Error as error:
        gone = db.dialect.is_disconnect(error, fairy.dbapi_connection, cursor)
        if gone:
            db.invalidate(error)
        raise sa.exc.DBAPIError.instance(
            sql,
            parameters,
            error,
            dbapi.Error,
            hide_parameters=True,  # customers' answers stay out of logs
            connection_invalidated=gone,
            dialect=db.dialect,
        ) from error
    return cursor


def connect(target: str | Path) -> Database:
    """A connection from this process's pool (give it back with ``close()``)."""
    try:
        return engine(target).connect()
    except sa.exc.OperationalError as exc:
        reason = " ".join(str(exc.orig or exc).split())
        raise DatabaseUnavailable(
            f"cannot open the database {describe(target)}: {reason}"
        ) from None


def is_postgres(db: Database) -> bool:
    return db.dialect.name == "postgresql"


def dispose_all() -> None:
    """Close every pooled connection of this process (tests, and before exit)."""
    for found in set(_engines.values()):
        found.dispose()
    _engines.clear()


def backup(db: Database, target: str | Path) -> int:
    """Copy the live SQLite database to ``target`` with SQLite's online backup API.

    Consistent even while workers write (a backup that sees a write restarts its step);
    returns the number of pages copied.
    """
    import sqlite3

    if is_postgres(db):
        raise DatabaseUnavailable(
            "surveyapp backup copies a SQLite file; on PostgreSQL use pg_dump or the "
            "server's own backups (docs/deployment.md)"
        )
    destination = sqlite3.connect(str(target))
    copied = 0

    def progress(status, remaining, total):
        nonlocal copied
        copied = total

    try:
        db.connection.driver_connection.backup(destination, pages=1024, progress=progress)
    finally:
        destination.close()
    return copied


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """UTC time as stored: ``2026-11-23T10:22:36.123456Z``, sortable as text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def day_of(moment: datetime) -> str:
    """The UTC day a time falls on, as tallies are keyed: ``2026-11-23``."""
    return moment.astimezone(UTC).date().isoformat()


def parse_iso(text: str) -> datetime:
    """Read back a time written by :func:`iso`."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def ping(db: Database) -> None:
    """Ask the database something trivial (raises one of DATABASE_DOWN if it is away)."""
    db.execute(sa.select(sa.literal(1))).scalar_one()
    if db.in_transaction():
        db.commit()
