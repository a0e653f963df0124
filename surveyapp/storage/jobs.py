"""Long work done in the background (exports, imports): each job's state and progress, and
the files it reads and writes, stored in parts of at most PART_BYTES.

A job is taken with a lease, as the mail queue's emails are (on PostgreSQL the pick skips
jobs another node is taking, FOR UPDATE SKIP LOCKED); its progress renews the lease, so
a job whose worker died is taken again once the lease has run out. Its files live in the
database, so whichever node serves the download has them, with nothing shared but the
database.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from surveyapp.domain.work_vocabulary import JobState
from surveyapp.storage.database import Database, iso
from surveyapp.storage.statements import execute, record, records, row, value
from surveyapp.storage.tables import job_files, jobs
from surveyapp.storage.transactions import transaction

#: How long a taken job is left to its worker without news of its progress before
#: another worker takes it again.
LEASE = timedelta(minutes=2)
#: The largest part a file is stored in: small enough that a part in memory costs
#: nothing, large enough that a 100 MB file is 100 rows.
PART_BYTES = 1024 * 1024
INPUT, OUTPUT = "input", "output"


def create(
    db: Database,
    *,
    job_id: str,
    kind: str,
    journey_id: str,
    user_id: int | None,
    locale: str,
    params: dict[str, Any],
    now: datetime,
    upload: bytes | None = None,
    state: JobState = JobState.WAITING,
) -> None:
    """Ask for a job, due now (or held: ``state`` COLUMNS, until :func:`release`);
    ``upload`` is the file it reads, stored with it."""
    with transaction(db):
        execute(
            db,
            sa.insert(jobs).values(
                id=job_id,
                kind=kind,
                journey_id=journey_id,
                user_id=user_id,
                locale=locale,
                params=json.dumps(params, ensure_ascii=False),
                state=state,
                next_attempt_at=iso(now),
                created_at=iso(now),
            ),
        )
        if upload is not None:
            _store(db, job_id, INPUT, upload)


def _store(db: Database, job_id: str, role: str, data: bytes) -> None:
    for part, start in enumerate(range(0, len(data), PART_BYTES)):
        piece = data[start : start + PART_BYTES]
        execute(db, sa.insert(job_files).values(job_id=job_id, role=role, part=part, data=piece))


def get(db: Database, job_id: str) -> dict[str, Any] | None:
    """A job, with its parameters and result read back; None if there is no such job."""
    found = record(db, sa.select(jobs).where(jobs.c.id == job_id))
    if found is not None:
        found["params"] = json.loads(found["params"])
        found["result"] = json.loads(found["result"]) if found["result"] else None
    return found


def take(db: Database, now: datetime) -> dict[str, Any] | None:
    """Lease the job due first (waiting, or running on a worker whose lease ran out), as
    its next attempt; None when nothing is due."""
    j = jobs.c
    with transaction(db):
        found = row(
            db,
            sa.select(j.id)
            .where(j.state.in_([JobState.WAITING, JobState.RUNNING]), j.next_attempt_at <= iso(now))
            .order_by(j.next_attempt_at, j.created_at)
            .limit(1)
            .with_for_update(skip_locked=True),
        )
        if found is None:
            return None
        execute(
            db,
            sa.update(jobs)
            .where(j.id == found["id"])
            .values(
                state=JobState.RUNNING,
                attempts=j.attempts + 1,
                next_attempt_at=iso(now + LEASE),
            ),
        )
        # What an earlier attempt wrote goes: this one writes the file from the start.
        execute(
            db,
            sa.delete(job_files).where(
                job_files.c.job_id == found["id"], job_files.c.role == OUTPUT
            ),
        )
    return get(db, found["id"])


def progress(db: Database, job_id: str, *, done: int, total: int | None, now: datetime) -> None:
    """Say how far a running job is, which renews its lease."""
    j = jobs.c
    with transaction(db):
        execute(
            db,
            sa.update(jobs)
            .where(j.id == job_id, j.state == JobState.RUNNING)
            .values(done=done, total=total, next_attempt_at=iso(now + LEASE)),
        )


def store_output(db: Database, job_id: str, chunks: Iterable[bytes]) -> int:
    """Store a job's file, chunk by chunk, each part in a transaction of its own (short:
    customers' answers are written between them); its size in bytes."""
    size, part = 0, 0
    for chunk in chunks:
        for start in range(0, len(chunk), PART_BYTES):
            piece = chunk[start : start + PART_BYTES]
            with transaction(db):
                execute(
                    db,
                    sa.insert(job_files).values(job_id=job_id, role=OUTPUT, part=part, data=piece),
                )
            part += 1
            size += len(piece)
    return size


def parts(db: Database, job_id: str, role: str = OUTPUT) -> Iterator[bytes]:
    """A job's file, one part at a time (one query each: never the whole file in memory)."""
    f = job_files.c
    count = value(
        db,
        sa.select(sa.func.count()).select_from(job_files).where(f.job_id == job_id, f.role == role),
    )
    for part in range(count or 0):
        data = value(
            db, sa.select(f.data).where(f.job_id == job_id, f.role == role, f.part == part)
        )
        yield bytes(data)


def finish(db: Database, job_id: str, *, result: dict[str, Any], done: int, now: datetime) -> None:
    """A job done: its result (its file's name, type and size; an import's summary)."""
    with transaction(db):
        execute(
            db,
            sa.update(jobs)
            .where(jobs.c.id == job_id)
            .values(
                state=JobState.DONE,
                done=done,
                result=json.dumps(result, ensure_ascii=False),
                error=None,
                finished_at=iso(now),
            ),
        )


def fail(
    db: Database, job_id: str, *, error: str, retry_at: datetime | None, now: datetime
) -> None:
    """An attempt failed for ``error`` (a stored message): the job waits until
    ``retry_at``, or is set aside when that was its last attempt (``retry_at`` None)."""
    values: dict[str, Any] = {"error": error}
    if retry_at is None:
        values.update(state=JobState.FAILED, finished_at=iso(now))
    else:
        values.update(state=JobState.WAITING, next_attempt_at=iso(retry_at))
    with transaction(db):
        execute(db, sa.update(jobs).where(jobs.c.id == job_id).values(**values))
        if retry_at is None:
            execute(
                db,
                sa.delete(job_files).where(
                    job_files.c.job_id == job_id, job_files.c.role == OUTPUT
                ),
            )


def release(db: Database, job_id: str, params: dict[str, Any], now: datetime) -> bool:
    """Let a held job go, due now, with its parameters completed; whether it was held
    (a second post of the same form changes nothing)."""
    j = jobs.c
    with transaction(db):
        changed = execute(
            db,
            sa.update(jobs)
            .where(j.id == job_id, j.state == JobState.COLUMNS)
            .values(
                state=JobState.WAITING,
                params=json.dumps(params, ensure_ascii=False),
                next_attempt_at=iso(now),
            ),
        )
    return changed > 0


def retry(db: Database, job_id: str, now: datetime) -> bool:
    """Try a set-aside job again, with three attempts more; whether it was set aside.
    Its progress stays: an import goes on after its last part, an export starts over."""
    j = jobs.c
    with transaction(db):
        return (
            execute(
                db,
                sa.update(jobs)
                .where(j.id == job_id, j.state == JobState.FAILED)
                .values(
                    state=JobState.WAITING,
                    attempts=0,
                    next_attempt_at=iso(now),
                    finished_at=None,
                ),
            )
            > 0
        )


def expire(db: Database, finished_before: datetime) -> int:
    """Forget the jobs finished before a time, and those held since then (an upload
    whose columns nobody named), with their files; how many."""
    j = jobs.c
    old = sa.select(j.id).where(
        sa.or_(
            sa.and_(
                j.state.in_([JobState.DONE, JobState.FAILED]),
                j.finished_at < iso(finished_before),
            ),
            sa.and_(j.state == JobState.COLUMNS, j.created_at < iso(finished_before)),
        )
    )
    # Asked at every round of the jobs worker: a read, and a write only when due.
    if not value(db, sa.select(sa.exists(old))):
        return 0
    with transaction(db):
        execute(db, sa.delete(job_files).where(job_files.c.job_id.in_(old)))
        return execute(db, sa.delete(jobs).where(j.id.in_(old)))


def recent(db: Database, journey_id: str, user_id: int | None, limit: int = 10) -> list[dict]:
    """A journey's latest jobs (of one account, when ``user_id`` is given), newest first."""
    j = jobs.c
    statement = sa.select(j.id, j.kind, j.state, j.params, j.created_at, j.done, j.total).where(
        j.journey_id == journey_id
    )
    if user_id is not None:
        statement = statement.where(j.user_id == user_id)
    found = records(db, statement.order_by(j.created_at.desc()).limit(limit))
    for job in found:
        job["params"] = json.loads(job["params"])
    return found


def queue_state(db: Database) -> dict[str, Any]:
    """Jobs waiting or running, since when the oldest waits, and how many were set aside."""
    j = jobs.c
    pending = j.state.in_([JobState.WAITING, JobState.RUNNING])
    found = row(
        db,
        sa.select(
            sa.func.count().filter(pending).label("waiting"),
            sa.func.min(j.created_at).filter(pending).label("oldest_at"),
            sa.func.count().filter(j.state == JobState.FAILED).label("set_aside"),
        ),
    )
    return dict(found)
