"""Benchmark: exports of 1,000,000 responses by the jobs worker, its memory, and customers'
submits while it works.

    .venv/bin/python benchmarks/exports.py [--responses 1000000] [--formats xlsx csv]
                                           [--rate 40] [--alone 5]

Fills a real SQLite file with the café journey's responses (in bulk, 50,000 a
transaction), serves the app under gunicorn with the settings `surveyapp serve` ships
(benchmarks/common.py), and makes personal links. For each format: customers answer at a
steady --rate per second (paced clients on keep-alive connections, each link answered
once, 3 in 5 glad and 1 in pain as in benchmarks/submit.py) for --alone seconds with
nothing else running (the baseline of the same run), then while `surveyapp jobs` (the
worker `surveyapp serve` supervises) writes the export asked for as the dashboard asks.
Prints the export's time and rows per second, the worker's peak RSS (VmHWM, from /proc),
the file's size, and the submits' p50, p99 and errors alone and during the export.

Targets (issue 29): an XLSX of 1,000,000 responses with the worker's RSS under 150 MB;
customers' submits keep p99 under 100 ms during it. A steady rate rather than wrk's
closed loop: customers arrive at their own pace, and a saturating load would measure the
machine's two cores, not whether the export delays them.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

from common import (
    DEMO_JOURNEYS,
    Customers,
    cafe_links,
    fresh_instance,
    run_jobs_worker,
    start,
    stop,
)


def fill(database: Path, count: int, seed: int = 7) -> float:
    """``count`` responses of the café journey over a year, with comments; seconds taken."""
    import sqlalchemy as sa

    from surveyapp import storage
    from surveyapp.domain import surveys
    from surveyapp.domain.definitions import read_definition_file
    from surveyapp.storage import tables

    rng = random.Random(seed)
    journey = read_definition_file(DEMO_JOURNEYS / "cafe.yaml")
    moments = [(m.id, surveys.survey_for(journey, m).deciding.key) for m in journey.moments]
    started = time.perf_counter()
    with storage.open_database(database) as db:
        for begin in range(0, count, 50_000):
            rows = []
            for i in range(begin, min(count, begin + 50_000)):
                moment, key = moments[i % len(moments)]
                polarity = rng.choices(("positive", "neutral", "negative"), (6, 2, 2))[0]
                day = f"2026-{1 + i % 11:02d}-{1 + i % 28:02d}"
                why = "Temps d'attente trop long, serveur débordé" if i % 3 == 0 else None
                rows.append(
                    {
                        "journey_id": journey.id,
                        "moment_id": moment,
                        "created_at": f"{day}T12:00:00.{i % 1000000:06d}Z",
                        "day": day,
                        "locale": ("fr", "ro", "en")[i % 3],
                        "channel": ("email", "link")[i % 2],
                        "polarity": polarity,
                        "answers": json.dumps({key: polarity, **({"why": why} if why else {})}),
                        "comment": why,
                        "customer_ref": f"C-{i}",
                    }
                )
            with storage.transaction(db):
                db.execute(sa.insert(tables.responses), rows)
        db.exec_driver_sql("ANALYZE")
        if db.in_transaction():
            db.commit()
    return time.perf_counter() - started


def export_once(fmt: str, database: Path, env: dict, customers: Customers) -> dict:
    """Ask for an export as the dashboard does, let the jobs worker write it while
    customers answer; its figures."""
    from surveyapp import storage
    from surveyapp.services import jobs
    from surveyapp.services.dashboard import Filters

    with storage.open_database(database) as db:
        journey = storage.journeys.get_journey(db, "cafe")
        job_id = jobs.ask_export(db, journey, fmt=fmt, filters=Filters(), user_id=None, locale="fr")
    customers.start()
    try:
        job, took, peak = run_jobs_worker(env, str(database), job_id)
    finally:
        during = customers.stop()
    assert job["state"] == "done", job["error"]
    return {
        "seconds": took,
        "rows": job["result"]["rows"],
        "size_mb": job["result"]["size"] / 1e6,
        "peak_rss_mb": peak,
        "during": during,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--formats", nargs="+", default=["xlsx", "csv"])
    parser.add_argument("--rate", type=float, default=40, help="submits per second")
    parser.add_argument("--alone", type=float, default=5, help="seconds of submits alone")
    parser.add_argument("--workers", type=int, default=5)
    args = parser.parse_args()
    workdir, env = fresh_instance("bench-exports-")
    database = workdir / "surveyapp.db"
    # Enough links for every measured second (alone, then during each export).
    tokens = cafe_links(database, int(args.rate * (600 + args.alone * len(args.formats))))
    print(f"filling {args.responses:,} responses ...", flush=True)
    print(f"filled in {fill(database, args.responses):.0f} s", flush=True)
    server = start("surveyapp:create_app()", args.workers, env)
    try:
        customers = Customers(server[1], tokens, args.rate)
        for fmt in args.formats:
            customers.start()
            time.sleep(args.alone)
            alone = customers.stop()
            result = export_once(fmt, database, env, customers)
            during = result["during"]
            print(
                f"{fmt}: {result['rows']:,} responses in {result['seconds']:.1f} s "
                f"({result['rows'] / result['seconds']:,.0f} rows/s), "
                f"file {result['size_mb']:.1f} MB, "
                f"jobs worker peak RSS {result['peak_rss_mb']:.1f} MB (target < 150 MB)\n"
                f"  submits at {args.rate:g}/s alone:  {alone['submits']} submits, p50 "
                f"{alone['p50']:.1f} ms, p99 {alone['p99']:.1f} ms, {alone['errors']} errors\n"
                f"  submits during the export: {during['submits']} submits, p50 "
                f"{during['p50']:.1f} ms, p99 {during['p99']:.1f} ms (target < 100 ms), "
                f"{during['errors']} errors",
                flush=True,
            )
    finally:
        stop(server[0])


if __name__ == "__main__":
    main()
