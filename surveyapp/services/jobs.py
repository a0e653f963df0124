"""Long work a manager starts from the browser and follows on its own page: exports of
responses and imports of customers to invite (services/invitation_imports.py), run by
the jobs worker (workers/jobs.py), never in a web request.

A job is asked for (stored, waiting), taken by a worker with a lease, and runs with its
progress written as it goes (which renews the lease and the worker's heartbeat); its file
is stored in the database in parts (storage/jobs.py), downloadable from any node for
KEEP. A failed attempt is recorded with its reason in words and tried again after
RETRY_AFTER; after the last, the job is set aside, and its page offers to try it again.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from surveyapp import storage
from surveyapp.domain.errors import Refusal
from surveyapp.domain.i18n import N_, Message, message
from surveyapp.domain.journeys import Journey
from surveyapp.domain.work_vocabulary import JobKind, JobState
from surveyapp.services import export_files, invitation_csv, invitation_imports, invitations
from surveyapp.services.dashboard import Filters
from surveyapp.storage import Database

log = logging.getLogger(__name__)

#: Waits before a failed job's second and third attempts; after the third it is set aside.
RETRY_AFTER = (timedelta(seconds=10), timedelta(minutes=1))
#: How long a finished job's page and file are kept.
KEEP = timedelta(days=1)
#: How often a running job writes its progress (seconds): often enough for a page that
#: refreshes every 2 s, rarely enough to cost nothing.
PROGRESS_SECONDS = 0.5
#: How often a running job beats its worker's heartbeat (seconds).
BEAT_SECONDS = 5
#: The bytes read from a finished file at a time, to store it.
READ_BYTES = storage.jobs.PART_BYTES


def ask_export(
    db: Database,
    journey: Journey,
    *,
    fmt: str,
    filters: Filters,
    user_id: int | None,
    locale: str,
) -> str:
    """Ask for an export of a journey's responses; the job's id (its page's address)."""
    if fmt not in export_files.FORMATS:
        raise ValueError(fmt)
    params = {"format": fmt, "filters": filters.as_params()}
    return _ask(db, JobKind.EXPORT_RESPONSES, journey, params, user_id=user_id, locale=locale)


def _ask(
    db: Database,
    kind: JobKind,
    journey: Journey,
    params: dict[str, Any],
    *,
    user_id: int | None,
    locale: str,
    upload: bytes | None = None,
    state: JobState = JobState.WAITING,
) -> str:
    """Store a job, due now (or held), under a new unguessable id: its id."""
    job_id = secrets.token_urlsafe(16)
    storage.jobs.create(
        db,
        job_id=job_id,
        kind=kind,
        journey_id=journey.id,
        user_id=user_id,
        locale=locale,
        params=params,
        now=storage.utcnow(),
        upload=upload,
        state=state,
    )
    return job_id


def ask_import(
    db: Database,
    journey: Journey,
    moment_id: str,
    data: bytes,
    *,
    send: bool,
    skip_invalid: bool,
    user_id: int | None,
    locale: str,
    encoding: str | None = None,
) -> str:
    """Ask for an import of customers to invite (a spreadsheet's CSV, checked as a whole
    first: CsvError at once if it cannot be read, in ``encoding`` when the manager chose
    it); the job's id. Columns are found by their names, or by the names this journey's
    manager gave them before; a file whose columns are still unknown is held until she
    says which is which (:func:`name_columns`)."""
    columns = storage.journey_settings.import_columns(db, journey.id)
    params: dict[str, Any] = {
        "moment": moment_id,
        "send": send,
        "skip_invalid": skip_invalid,
        "encoding": encoding,
        "columns": columns,
        "batch": invitations.new_batch(),  # every part of it, every attempt
    }
    state = JobState.WAITING
    try:
        invitation_csv.check_file(data, encoding, columns)
    except invitation_csv.UnknownColumns as unknown:
        params |= {"header": unknown.header, "encoding": unknown.encoding}
        state = JobState.COLUMNS
    return _ask(
        db,
        JobKind.IMPORT_INVITATIONS,
        journey,
        params,
        user_id=user_id,
        locale=locale,
        upload=data,
        state=state,
    )


def name_columns(
    db: Database, job: dict[str, Any], columns: Mapping[str, str], *, by: str | None
) -> bool:
    """Which column of a held import's file is which (``customer`` and, if its file has
    them, ``email`` and ``locale``: names from its header): kept for the journey's next
    files, and the import let go. False when it was no longer held."""
    params = {**job["params"], "columns": dict(columns)}
    params.pop("header", None)
    storage.journey_settings.set_import_columns(db, job["journey_id"], dict(columns), by=by)
    return storage.jobs.release(db, job["id"], params, storage.utcnow())


class _Progress:
    """Writes a running job's progress at most every PROGRESS_SECONDS, and beats the
    worker's heartbeat at most every BEAT_SECONDS."""

    def __init__(self, db: Database, job_id: str, alive: Callable[[Database], None]):
        self.db, self.job_id, self.alive = db, job_id, alive
        self.total: int | None = None
        self._written = self._beaten = 0.0

    def __call__(self, done: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._written >= PROGRESS_SECONDS:
            self._written = now
            storage.jobs.progress(
                self.db, self.job_id, done=done, total=self.total, now=storage.utcnow()
            )
            self.beat()

    def beat(self) -> None:
        """Say that the worker is alive (not at every call: a heartbeat is a write)."""
        now = time.monotonic()
        if now - self._beaten >= BEAT_SECONDS:
            self._beaten = now
            self.alive(self.db)


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as data:
        while chunk := data.read(READ_BYTES):
            yield chunk


def _export(db: Database, job: dict[str, Any], config: Mapping[str, Any], progress: _Progress):
    journey = storage.journeys.get_journey(db, job["journey_id"])
    if journey is None:
        raise Refusal(message(N_("the journey no longer exists")))
    fmt = job["params"]["format"]
    filters = Filters.from_params(job["params"]["filters"])
    progress.total = storage.responses.count_matching(db, journey.id, **filters.as_kwargs())
    progress(0, force=True)
    folder = Path(tempfile.mkdtemp(prefix="surveyapp-export-"))
    target = folder / export_files.file_name(journey.id, fmt)
    # Rows are read on a connection of their own: on SQLite, a read that lasts the whole
    # export must not share its connection with the progress written meanwhile.
    reader = storage.connect(config["DATABASE"])
    try:
        rows = export_files.write_responses(
            reader,
            journey,
            fmt=fmt,
            filters=filters,
            locale=job["locale"],
            target=target,
            counted=progress,
        )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # the caller removes it only when done
        raise
    finally:
        reader.close()
    progress.total = rows
    progress(rows, force=True)
    return {"rows": rows, "mimetype": export_files.MIMETYPES[fmt]}, rows, target


def _import(db: Database, job: dict[str, Any], config: Mapping[str, Any], progress: _Progress):
    def total(count: int) -> None:
        progress.total = count

    result, rows, links = invitation_imports.import_invitations(
        db, job, config, total=total, beat=progress.beat
    )
    return {**result, "mimetype": "text/csv; charset=utf-8"}, rows, links


RUNNERS = {JobKind.EXPORT_RESPONSES: _export, JobKind.IMPORT_INVITATIONS: _import}


def reason_of(exc: BaseException) -> Message:
    """Why an attempt failed, in words a manager can read."""
    if isinstance(exc, Refusal) and isinstance(exc.message, Message):
        return exc.message
    # The detail first, its kind after: "disk full, OSError" reads in any language.
    return message(N_("an error of ours (%(error)s)"), error=f"{exc}, {type(exc).__name__}")


def run_due(
    db: Database,
    config: Mapping[str, Any],
    *,
    alive: Callable[[Database], None] = lambda db: None,
) -> str | None:
    """Run the job due first, if any: its id. ``alive`` is called as it progresses (the
    worker's heartbeat). A failure is recorded, and the job tried again or set aside."""
    job = storage.jobs.take(db, storage.utcnow())
    if job is None:
        return None
    progress = _Progress(db, job["id"], alive)
    path = None
    try:
        result, done, path = RUNNERS[JobKind(job["kind"])](db, job, config, progress)
        if path is not None:  # the file, stored in parts: any node serves it
            result.update(
                file=path.name, size=storage.jobs.store_output(db, job["id"], _chunks(path))
            )
    except storage.DATABASE_DOWN:
        raise  # the lease runs out and the job is taken again
    except Exception as exc:
        reason = reason_of(exc)
        attempt = job["attempts"]
        retry_at = (
            storage.utcnow() + RETRY_AFTER[attempt - 1] if attempt <= len(RETRY_AFTER) else None
        )
        log.warning("job %s (%s), attempt %d, failed: %s", job["id"], job["kind"], attempt, reason)
        storage.jobs.fail(
            db, job["id"], error=reason.stored(), retry_at=retry_at, now=storage.utcnow()
        )
        return job["id"]
    finally:
        if path is not None:
            shutil.rmtree(path.parent, ignore_errors=True)
    storage.jobs.finish(db, job["id"], result=result, done=done, now=storage.utcnow())
    return job["id"]


def forget_old(db: Database, now: datetime) -> int:
    """Forget the jobs finished more than KEEP ago, with their files."""
    return storage.jobs.expire(db, now - KEEP)
