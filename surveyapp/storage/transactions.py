"""Write transactions and what orders them: SQLite's write lock and writers' queue,
PostgreSQL's advisory locks shared by every node, read snapshots, and jobs that run on one
node at a time."""

from __future__ import annotations

import fcntl
import hashlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from surveyapp.storage.database import Database, is_postgres


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
def transaction(db: Database, *, long: bool = False) -> Iterator[Database]:
    """A write transaction; inside another one, a savepoint. ``long``: one that may hold
    SQLite's write lock for seconds (a large import); writers that wait behind it then
    wait without stopping their gevent worker (:func:`_queue_for_writing`).

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
    turn = None
    if queue is not None:
        turn = _take_turn()
        try:
            _queue_for_writing(db, queue, long)
        except BaseException:
            if turn is not None:
                turn.release()
            raise
    db.info["writing"] = True
    try:
        with db.begin():
            yield db
    finally:
        db.info["writing"] = False
        if queue is not None:
            fcntl.flock(queue, fcntl.LOCK_UN)
            if long:
                fcntl.flock(_long_marker(db), fcntl.LOCK_UN)
            if turn is not None:
                turn.release()


#: This process's writers' turn under gevent, made at its first write there.
_turns: list = []


def _take_turn():
    """Under gevent, this process's turn to write (a gevent lock, held until the
    transaction ends), else None: one greenlet at a time queues for and holds the
    writers' lock. Without it, a greenlet that blocked the hub on the lock while another
    greenlet of its process held it (taken in gevent's thread pool, not yet resumed)
    waited for ever, and its worker with it, until gunicorn killed the worker 30 s later
    (an import beside customers' answers, benchmarks/imports.py). Greenlets waiting for
    their turn yield to the others: no thread, no hub blocked."""
    if _gevent_hub() is None:
        return None
    if not _turns:
        from gevent.lock import Semaphore

        _turns.append(Semaphore())
    _turns[0].acquire()
    return _turns[0]


def _long_marker(db: Database):
    """This SQLite connection's handle on ``<database>-long``: held exclusively by a
    long write transaction, for as long as it runs (see :func:`transaction`)."""
    marker = db.info.get("long")
    if marker is None:
        marker = db.info["long"] = open(f"{db.engine.url.database}-long", "a")  # noqa: SIM115
    return marker


def _queue_for_writing(db: Database, queue, long: bool) -> None:
    """Take the writers' lock. A gevent worker (what ``surveyapp serve`` runs) serves all
    its requests on one thread, and a blocking flock stops every one of them while it
    waits: right for a writer's usual turn (a millisecond or two, and the kernel hands
    the lock over at once; a wait through a thread made every contended submit 25% dearer
    in CPU, benchmarks/submit.py), wrong behind a long transaction (an import: its survey
    pages stopped for 22 s). So a long transaction says so, holding ``<database>-long``;
    a writer under gevent that finds the lock taken waits in gevent's thread pool when a
    long one runs, and blocks as before otherwise, holding the marker shared meanwhile
    so that no long transaction starts ahead of it. Only one greenlet of the process does
    this at a time (:func:`_take_turn`), so the lock it blocks on is never held by a
    greenlet of its own process that the blocked hub could not resume."""
    if long:
        fcntl.flock(_long_marker(db), fcntl.LOCK_EX)
        fcntl.flock(queue, fcntl.LOCK_EX)
        return
    try:
        fcntl.flock(queue, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    hub = _gevent_hub()
    if hub is None:
        fcntl.flock(queue, fcntl.LOCK_EX)
        return
    marker = _long_marker(db)
    try:
        fcntl.flock(marker, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:  # a long transaction runs: wait off the hub
        hub.threadpool.apply(fcntl.flock, (queue, fcntl.LOCK_EX))
        return
    try:
        fcntl.flock(queue, fcntl.LOCK_EX)
    finally:
        fcntl.flock(marker, fcntl.LOCK_UN)


def _gevent_hub():
    """gevent's hub when this process runs under gevent's monkey patches, else None
    (gevent is never imported here if it is not already)."""
    if "gevent.monkey" not in sys.modules:
        return None
    from gevent import get_hub, monkey

    return get_hub() if monkey.is_module_patched("threading") else None


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
