"""The database: a SQLite file (the embedded default) or a PostgreSQL server, opened
through SQLAlchemy Core; write transactions, locks between nodes, and SQLite's writers'
queue.

The only module that knows the engines' connection details. Every other storage module
takes the connection it returns and writes its queries once, with SQLAlchemy Core, for
both engines; where the engines differ (upserts, locks), the difference is here.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

#: What storage functions take: one connection, used by one request or command at a time.
Database = sa.Connection

BUSY_TIMEOUT_MS = 5000
#: Idle connections each process keeps per database (more are opened under load).
POOL_SIZE = 16
POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


class DatabaseUnavailable(Exception):
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


_engines: dict[tuple[int, str], sa.Engine] = {}


def engine(target: str | Path) -> sa.Engine:
    """This process's engine (and connection pool) for a database; never one inherited
    from a parent process by fork. Found by the setting as given first: every request
    asks, and reading the setting into a URL costs a tenth of a millisecond."""
    key = (os.getpid(), str(target))
    found = _engines.get(key)
    if found is None:
        url = database_url(target)
        same = (os.getpid(), url.render_as_string(hide_password=False))
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
        # SQLite's lower() only folds ASCII; Python's folds "É" as PostgreSQL does, so a
        # case-insensitive search finds the same comments on both engines.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)

    @sa.event.listens_for(created, "begin")
    def _begin(connection):
        # Straight to the driver: a statement through SQLAlchemy's execution path costs
        # about 0.1 ms, and every submit begins a transaction.
        if connection.info.get("writing"):
            connection.connection.driver_connection.execute("BEGIN IMMEDIATE")
        elif connection.info.get("snapshot"):
            connection.connection.driver_connection.execute("BEGIN")  # one snapshot (WAL)

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


def parse_iso(text: str) -> datetime:
    """Read back a time written by :func:`iso`."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _write_queue(db: Database):
    """This SQLite connection's handle on the writers' lock file (``<database>-writers``),
    or None for a database in memory. One handle per connection, opened when it first
    writes: flock locks belong to an open file, so each connection (thread or process)
    needs its own to exclude the others."""
    queue = db.info.get("queue")
    if queue is None:
        path = db.engine.url.database
        real = path and path != ":memory:"
        queue = db.info["queue"] = open(f"{path}-writers", "a") if real else False  # noqa: SIM115
    return queue or None


@contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """A write transaction; inside another one, a savepoint.

    On SQLite it takes the write lock at once (BEGIN IMMEDIATE), so a transaction that
    reads before it writes never sees a state another writer is changing. Writers first
    queue on a file lock (flock): SQLite's own busy handler retries after sleeps of 1, 2,
    5, 10 … 100 ms, and under a burst of submits a quarter of them slept more than 1 ms
    and some 100 ms, while the kernel wakes the next writer as soon as the lock is free
    (benchmarks/README.md). On PostgreSQL writers run side by side; what must not
    interleave takes a row lock or :func:`lock`.
    """
    if db.info.get("writing"):
        with db.begin_nested():
            yield db
        return
    if db.in_transaction():  # a read-only transaction begun by an earlier read
        db.commit()
    queue = None if is_postgres(db) else _write_queue(db)
    if queue is not None:
        fcntl.flock(queue, fcntl.LOCK_EX)
    db.info["writing"] = True
    try:
        with db.begin():
            yield db
    finally:
        db.info["writing"] = False
        if queue is not None:
            fcntl.flock(queue, fcntl.LOCK_UN)


@contextmanager
def snapshot(db: Database) -> Iterator[Database]:
    """Reads that all see the database as it was at their first one, while writers go
    on (SQLite: a read transaction in WAL mode; PostgreSQL: REPEATABLE READ)."""
    if db.in_transaction():
        db.commit()
    if is_postgres(db):
        db.execution_options(isolation_level="REPEATABLE READ")
    db.info["snapshot"] = True
    try:
        with db.begin():
            yield db
    finally:
        db.info["snapshot"] = False


def _lock_key(name: str) -> int:
    return int.from_bytes(
        hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True
    )


def lock(db: Database, name: str) -> None:
    """Inside a write transaction: wait until no other transaction, on any node, holds
    ``name``, and hold it until this one ends. On PostgreSQL an advisory lock; on SQLite
    nothing to do, since the write lock already lets one writer in at a time."""
    if is_postgres(db):
        db.execute(sa.select(sa.func.pg_advisory_xact_lock(_lock_key(name))))


@contextmanager
def exclusive(db: Database, name: str) -> Iterator[bool]:
    """Run a job on one node at a time: yields True if this process holds ``name``
    (until the block ends), False if another holds it now.

    On PostgreSQL the block is one transaction holding an advisory lock (which also
    works through pgbouncer's transaction pooling); the job's writes are savepoints in
    it. PostgreSQL writers never wait on it, so the job may take its time (send an
    email). On SQLite no transaction is kept open; a lock file beside the database
    excludes the other processes of this machine.
    """
    if is_postgres(db):
        if db.in_transaction():
            db.commit()
        db.info["writing"] = True
        try:
            with db.begin():
                key = _lock_key(name)
                held = db.execute(sa.select(sa.func.pg_try_advisory_xact_lock(key)))
                yield bool(held.scalar_one())
        finally:
            db.info["writing"] = False
        return
    path = db.engine.url.database
    with open(f"{path}-{name}.lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def findable(*keys: str | None) -> bool:
    """Whether text from outside can name a stored row: none holds NUL, which no stored
    text does (PostgreSQL refuses it in text; SQLite would keep it). A lookup by such a
    key finds nothing, on both engines alike, without asking the database."""
    return not any(key and "\x00" in key for key in keys)


def ping(db: Database) -> None:
    """Ask the database something trivial (raises one of DATABASE_DOWN if it is away)."""
    db.execute(sa.select(sa.literal(1))).scalar_one()
    if db.in_transaction():
        db.commit()


def once_per_dialect(build):
    """A statement built on first use for each engine (``build(db)``), then reused with
    new parameters: building SQLAlchemy constructs costs tens of microseconds each (an
    upsert's ``excluded`` copies every column of its table), and a statement built once
    finds its compiled form in the engine's cache at once. For the submit path."""
    built: dict[str, Any] = {}

    def statement(db: Database):
        name = db.dialect.name
        found = built.get(name)
        if found is None:
            found = built[name] = build(db)
        return found

    return statement


_compiled: dict[tuple, tuple[str, Any, tuple[str, ...] | None]] = {}


def run(db: Database, statement, params: dict[str, Any]):
    """Execute a statement built once (module level or :func:`once_per_dialect`) on the
    driver's own cursor, in the connection's transaction; the cursor.

    SQLAlchemy still writes the SQL, compiled once per dialect and parameter set; only
    its execution machinery is skipped, which costs about 0.1 ms a statement and made a
    submit (seven statements) half as fast as before SQLAlchemy. For the hot paths only
    (submits, survey pages, API authentication): plain text, integer and float values,
    no type processing, no expanding IN.
    """
    key = (db.dialect.name, id(statement), tuple(params))
    found = _compiled.get(key)
    if found is None:
        compiled = statement.compile(dialect=db.dialect, column_keys=list(params))
        positions = tuple(compiled.positiontup) if compiled.positional else None
        found = _compiled[key] = (str(compiled), compiled, positions)
    sql, compiled, positions = found
    values = compiled.construct_params(params)  # with the literals SQLAlchemy bound
    cursor = db.connection.driver_connection.cursor()
    cursor.execute(sql, [values[name] for name in positions] if positions else values)
    return cursor


def insert(db: Database, table: sa.Table):
    """An INSERT with this engine's ``on_conflict_do_nothing`` / ``on_conflict_do_update``
    (SQLAlchemy's dialect constructs: the same upsert on both engines)."""
    return (postgresql.insert if is_postgres(db) else sqlite.insert)(table)


def records(db: Database, statement) -> list[dict[str, Any]]:
    """The rows of a SELECT as dicts."""
    return [dict(row) for row in db.execute(statement).mappings()]


def record(db: Database, statement) -> dict[str, Any] | None:
    row = db.execute(statement).mappings().first()
    return dict(row) if row is not None else None
