"""A spreadsheet of customers to invite, imported by a background job (services/jobs.py):
its rows checked, then its invitations made in parts, each written to its links.csv.

Each part is one write transaction, with the job's progress: short (its rows adapt to
keep it near PART_SECONDS), so customers' answers wait behind one part at most
(benchmarks/imports.py), and atomic, so a job taken again after its worker died goes on
after its last part, never inviting anyone twice. Every part belongs to the same batch,
whose links.csv is the job's file.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from surveyapp import storage
from surveyapp.domain import i18n
from surveyapp.domain.errors import Refusal
from surveyapp.domain.i18n import N_, message
from surveyapp.domain.vocabulary import SKIP_REASONS
from surveyapp.services import invitation_csv, invitations
from surveyapp.storage import Database

#: How long a part holds the write lock, at most about: customers' answers wait behind
#: one part at most (benchmarks/imports.py). Its rows adapt to keep it so, within
#: PART_ROWS, from FIRST_PART_ROWS.
PART_SECONDS = 0.02
#: On PostgreSQL answers never wait behind a part (writers run side by side), so parts
#: are as long as keeps the import's progress fresh.
PART_SECONDS_POSTGRES = 0.5
PART_ROWS = (100, 5000)
FIRST_PART_ROWS = 500
#: Bad rows and warnings kept to be shown (the counts are all counted).
SHOWN = 100
LINKS_FILE = "links-{journey}.csv"


def import_invitations(
    db: Database,
    job: dict[str, Any],
    config: Mapping[str, Any],
    *,
    total: Callable[[int], None],
    beat: Callable[[], None],
) -> tuple[dict[str, Any], int, Path | None]:
    """Run an import job: (its result, the rows handled, its links.csv or None).
    ``total`` is told the number of rows once known, ``beat`` after each part."""
    params = job["params"]
    journey = storage.journeys.get_journey(db, job["journey_id"])
    if journey is None or journey.moment(params["moment"]) is None:
        raise Refusal(message(N_("the moment no longer exists")))
    # The file stays as it came (16 MB at most); its rows are read from it as they go,
    # twice (counted, then made), never all held: a million rows stay flat in memory.
    data = b"".join(storage.jobs.parts(db, job["id"], storage.jobs.INPUT))
    result: dict[str, Any] = {"moment": params["moment"], "send": params["send"]}
    try:
        checked = invitation_csv.check_rows(
            data, shown=SHOWN, encoding=params.get("encoding"), columns=params.get("columns")
        )
    except invitation_csv.CsvError as exc:  # the file as a whole: nothing to try again
        return {**result, "refused": exc.why.stored()}, 0, None
    result["encoding"] = checked.encoding
    result["columns"] = checked.columns
    result["problems"] = [_stored(p) for p in checked.problems]
    result["problem_count"] = len(checked.bad_lines)
    if checked.bad_lines and not params["skip_invalid"]:
        return {**result, "refused_rows": True}, 0, None
    count = checked.requests
    total(count)
    warnings: list[list] = []
    budget = invitations.Budget(max_per_30_days=int(config["CONTACT_BUDGET"]))
    links = _Links(journey.id, config["BASE_URL"], job["locale"])
    # A job taken again after its worker died goes on after its last part; the parts
    # made before are not in this attempt's links.csv, which is then read back whole.
    resumed = job["done"] > 0
    start, rows = job["done"], FIRST_PART_ROWS
    requests = itertools.islice(invitation_csv.requests_of(data, checked), start, None)
    seconds = PART_SECONDS_POSTGRES if storage.is_postgres(db) else PART_SECONDS
    try:
        while part := list(itertools.islice(requests, rows)):
            began = time.perf_counter()
            with storage.transaction(db, long=True):
                outcomes = invitations.create(
                    db,
                    journey,
                    params["moment"],
                    part,
                    base_url=config["BASE_URL"],
                    valid_days=int(config["INVITATION_DAYS"]),
                    budget=budget,
                    send=params["send"],
                    batch=params["batch"],
                )
                storage.jobs.progress(
                    db, job["id"], done=start + len(part), total=count, now=storage.utcnow()
                )
            rows = _next_rows(rows, time.perf_counter() - began, seconds)
            start += len(part)
            if not resumed:
                links.write(outcomes)
            for outcome in outcomes:
                for warning in outcome.warnings[: max(0, SHOWN - len(warnings))]:
                    warnings.append([outcome.request.line, warning.stored()])
            beat()
        if resumed:
            links.rewrite(storage.invitation_tracking.batch_rows(db, params["batch"]))
    except BaseException:
        links.close()
        shutil.rmtree(links.path.parent, ignore_errors=True)
        raise
    links.close()
    summary = storage.invitation_tracking.batch_summary(db, params["batch"])
    result = {**result, **summary, "batch": params["batch"], "warnings": warnings}
    return result, count, links.path


def _next_rows(rows: int, took: float, seconds: float) -> int:
    """The next part's rows: as many as fit in ``seconds`` at this part's pace (parts
    slow down as the tables grow), within PART_ROWS."""
    fitting = int(rows * seconds / max(took, 1e-3))
    return max(PART_ROWS[0], min(PART_ROWS[1], fitting, 2 * rows))


class _Links:
    """The import's links.csv, written as its parts are made: each customer in the
    file's order with their link, or why they were skipped, in the manager's language."""

    def __init__(self, journey_id: str, base_url: str, locale: str):
        self.base_url = base_url
        self.reasons = {code: i18n.translate(locale, label) for code, label in SKIP_REASONS.items()}
        self.path = Path(tempfile.mkdtemp(prefix="surveyapp-import-")) / LINKS_FILE.format(
            journey=journey_id
        )
        self._file = self.path.open("w", encoding="utf-8", newline="")
        self._header = True

    def _line(self, customer, email, locale, token, reason) -> list:
        return [
            customer,
            email,
            locale,
            invitations.survey_link(self.base_url, token) if token else "",
            "created" if token else "skipped",
            self.reasons.get(reason, reason or ""),
        ]

    def _lines(self, lines: Iterable[list]) -> None:
        chunks = invitations.links_csv(lines)
        if not self._header:
            next(chunks)  # the BOM and the header, once
        self._header = False
        for chunk in chunks:
            self._file.write(chunk)

    def write(self, outcomes: list) -> None:
        """A part's customers."""
        self._lines(
            self._line(o.request.customer, o.request.email, o.locale, o.token, o.reason_code)
            for o in outcomes
        )

    def rewrite(self, found: Iterable[dict]) -> None:
        """The whole batch as stored (made, then skipped), in place of what was written."""
        self._file.seek(0)
        self._file.truncate()
        self._header = True
        self._lines(
            self._line(r["customer_ref"], r["email"], r["locale"], r["token"], r["reason"])
            for r in found
        )

    def close(self) -> None:
        self._file.close()


def _stored(problem) -> str:
    """A bad row's problem, kept to be said later in its reader's language."""
    return message(N_("%(path)s: %(reason)s"), path=problem.path, reason=problem.why).stored()
