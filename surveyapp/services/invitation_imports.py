"""A spreadsheet of customers to invite, imported by a background job (services/jobs.py):
its rows checked, then its invitations made in parts of PART_ROWS, then its links.csv.

Each part is one write transaction, with the job's progress: short, so customers'
answers are written between parts (benchmarks/imports.py), and atomic, so a job taken
again after its worker died goes on after its last part, never inviting anyone twice.
Every part belongs to the same batch, whose links.csv is the job's file.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from surveyapp import storage
from surveyapp.domain import i18n
from surveyapp.domain.errors import Refusal
from surveyapp.domain.i18n import N_, message
from surveyapp.domain.vocabulary import SKIP_REASONS
from surveyapp.services import invitation_csv, invitations
from surveyapp.storage import Database

#: Rows a part invites, in one write transaction of about 30 ms: customers' answers
#: wait behind one part at most.
PART_ROWS = 2000
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
    data = b"".join(storage.jobs.parts(db, job["id"], storage.jobs.INPUT))
    result: dict[str, Any] = {"moment": params["moment"], "send": params["send"]}
    try:
        requests, problems = invitation_csv.read_csv(data)
    except invitation_csv.CsvError as exc:  # the file as a whole: nothing to try again
        return {**result, "refused": exc.why.stored()}, 0, None
    del data
    result["problems"] = [_stored(p) for p in problems[:SHOWN]]
    result["problem_count"] = len(problems)
    if problems and not params["skip_invalid"]:
        return {**result, "refused_rows": True}, 0, None
    total(len(requests))
    warnings: list[list] = []
    budget = invitations.Budget(max_per_30_days=int(config["CONTACT_BUDGET"]))
    for start in range(job["done"], len(requests), PART_ROWS):
        part = requests[start : start + PART_ROWS]
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
                db, job["id"], done=start + len(part), total=len(requests), now=storage.utcnow()
            )
        for outcome in outcomes:
            for warning in outcome.warnings[: max(0, SHOWN - len(warnings))]:
                warnings.append([outcome.request.line, warning.stored()])
        beat()
    summary = storage.invitation_tracking.batch_summary(db, params["batch"])
    links = _links_file(db, params["batch"], journey.id, config["BASE_URL"], job["locale"])
    return (
        {**result, **summary, "batch": params["batch"], "warnings": warnings},
        len(requests),
        links,
    )


def _stored(problem) -> str:
    """A bad row's problem, kept to be said later in its reader's language."""
    return message(N_("%(path)s: %(reason)s"), path=problem.path, reason=problem.why).stored()


def _links_file(db: Database, batch: str, journey_id: str, base_url: str, locale: str) -> Path:
    """The batch's links.csv in a temporary file (the caller stores it, then removes it):
    each customer with their link, or why they were skipped, in the manager's language."""
    reasons = {code: i18n.translate(locale, label) for code, label in SKIP_REASONS.items()}
    lines = (
        [
            r["customer_ref"],
            r["email"],
            r["locale"],
            invitations.survey_link(base_url, r["token"]) if r["token"] else "",
            "created" if r["token"] else "skipped",
            reasons.get(r["reason"], r["reason"] or ""),
        ]
        for r in storage.invitation_tracking.batch_rows(db, batch)
    )
    folder = Path(tempfile.mkdtemp(prefix="surveyapp-import-"))
    target = folder / LINKS_FILE.format(journey=journey_id)
    with target.open("w", encoding="utf-8", newline="") as out:
        for chunk in invitations.links_csv(lines):
            out.write(chunk)
    return target
