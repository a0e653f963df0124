"""The SQLite file: opening it, its settings, write transactions and the writers' queue.

The only module that knows the connection details. Every other storage module takes the
connection it returns.

SQL built with f-strings in the storage modules (marked ``nosec B608``) only joins their
own column names, placeholders and WHERE clauses; every value is bound as a parameter.
"""

from __future__ import annotations

import fcntl
import sqlite3
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from surveyapp.storage.schema import migrations

BUSY_TIMEOUT_MS = 5000


def connect(path: str | Path) -> Database:
    """Open the database file for one request or command: WAL, busy timeout, foreign keys."""
    # The timeout is SQLite's busy timeout: a writer waits its turn instead of failing.
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    conn.execute("PRAGMA foreign_keys = ON")
    # In WAL mode NORMAL loses nothing when the process dies, only on power loss.
    conn.execute("PRAGMA synchronous = NORMAL")
    return Database(conn, execute_plugins=False, recursive_triggers=False)


def open_database(path: str | Path) -> Database:
    """Open (creating if needed) the database and bring its schema up to date."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    migrations.apply(db)
    return db


def backup(db: Database, target: str | Path) -> int:
    """Copy the live database to ``target`` with SQLite's online backup API.

    Consistent even while workers write (a backup that sees a write restarts its step);
    returns the number of pages copied.
    """
    destination = sqlite3.connect(str(target))
    copied = 0

    def progress(status, remaining, total):
        nonlocal copied
        copied = total

    try:
        db.conn.backup(destination, pages=1024, progress=progress)
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


_write_queues: weakref.WeakKeyDictionary[Database, Any] = weakref.WeakKeyDictionary()


def _write_queue(db: Database):
    """This connection's handle on the writers' lock file (``<database>-writers``), or
    None for a database in memory. One handle per connection, opened when it first
    writes: flock locks belong to an open file, so each connection (thread or process)
    needs its own to exclude the others."""
    queue = _write_queues.get(db)
    if queue is None:
        path = db.execute("PRAGMA database_list").fetchone()[2]
        queue = _write_queues[db] = open(f"{path}-writers", "a") if path else False  # noqa: SIM115
    return queue or None


@contextmanager
def immediate(db: Database) -> Iterator[Database]:
    """A write transaction that takes the write lock at once (BEGIN IMMEDIATE).

    Used where a transaction reads before it writes, so two writers never both read the
    old state. Writers first queue on a file lock (flock): SQLite's own busy handler
    retries after sleeps of 1, 2, 5, 10 … 100 ms, and under a burst of submits a quarter
    of them slept more than 1 ms and some 100 ms, while the kernel wakes the next writer
    in the queue as soon as the lock is free (benchmarks/README.md). SQLite's locking
    still guards everything; the queue only decides who goes next.
    """
    if db.conn.in_transaction:  # already holding the write lock: a savepoint is enough
        with db.atomic():
            yield db
        return
    queue = _write_queue(db)
    if queue is not None:
        fcntl.flock(queue, fcntl.LOCK_EX)
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.conn.rollback()
            raise
        db.execute("COMMIT")
    finally:
        if queue is not None:
            fcntl.flock(queue, fcntl.LOCK_UN)


def records(
    db: Database, table: str, columns: tuple[str, ...], tail: str = "", params: list | tuple = ()
) -> list[dict[str, Any]]:
    """Rows of ``table`` as dicts of ``columns``; ``tail`` is the WHERE/ORDER part, written
    here with placeholders, every value bound."""
    sql = f"SELECT {', '.join(columns)} FROM {table} {tail}"  # noqa: S608 # nosec B608
    return [dict(zip(columns, row, strict=True)) for row in db.execute(sql, list(params))]


def record(
    db: Database, table: str, columns: tuple[str, ...], tail: str, params: list | tuple
) -> dict[str, Any] | None:
    found = records(db, table, columns, tail, params)
    return found[0] if found else None
