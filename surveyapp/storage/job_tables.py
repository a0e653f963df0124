"""The tables of long work done in the background (exports, imports): each job, and the
files it reads and writes, kept in the database in parts so that any node serves them."""

from __future__ import annotations

import sqlalchemy as sa

from surveyapp.storage.columns import int_column as _int
from surveyapp.storage.columns import metadata
from surveyapp.storage.columns import text_column as _text

jobs = sa.Table(
    "jobs",
    metadata,
    _text("id", primary_key=True),  # unguessable: the job's page and file are found by it
    _text("kind"),  # work_vocabulary.JobKind
    _text("journey_id", sa.ForeignKey("journeys.id")),
    _int("user_id", sa.ForeignKey("users.id"), nullable=True),  # who asked; None: the CLI
    _text("locale"),  # the language its file and messages are written in
    _text("params"),  # JSON: what to export or import
    _text("state"),  # work_vocabulary.JobState
    _int("done", server_default="0"),
    _int("total", nullable=True),
    _int("attempts", server_default="0"),
    _text("next_attempt_at"),  # due (waiting) or leased until (running)
    _text("error", nullable=True),  # the last attempt's reason, a stored message
    _text("result", nullable=True),  # JSON: the file's name, type and size; an import's summary
    _text("created_at"),
    _text("finished_at", nullable=True),
    sa.Index("idx_jobs_state_next_attempt_at", "state", "next_attempt_at"),
    sa.Index("idx_jobs_created_at", "created_at"),
)

job_files = sa.Table(
    "job_files",
    metadata,
    _text("job_id", sa.ForeignKey("jobs.id"), primary_key=True),
    _text("role", primary_key=True),  # "input" (an upload) or "output" (the result)
    _int("part", primary_key=True, autoincrement=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
)
