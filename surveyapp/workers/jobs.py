"""The jobs worker's round: each journey's retention applied when due
(services/retention.py), every due export and import run one after another
(services/jobs.py), each failure recorded on its job, and finished jobs forgotten after
their time. A long job says as it goes that the worker is alive (its heartbeat)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from surveyapp import storage
from surveyapp.services import jobs, retention
from surveyapp.storage import Database
from surveyapp.workers import rounds

#: Jobs run in a round at most: then the round ends and the worker beats.
JOBS_A_ROUND = 10


def run_due(db: Database, config: Mapping[str, Any]) -> int:
    """Apply the retention due, then run the due jobs (at most JOBS_A_ROUND); how many
    jobs ran."""
    retention.apply_due(db)
    jobs.forget_old(db, storage.utcnow())
    ran = 0
    while ran < JOBS_A_ROUND and jobs.run_due(db, config, alive=rounds.still_working):
        ran += 1
    return ran
