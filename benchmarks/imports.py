"""Benchmark: a CSV of 1,000,000 customers to invite, imported by the jobs worker while
customers answer.

    .venv/bin/python benchmarks/imports.py [--rows 1000000] [--emails] [--rate 40]
                                           [--alone 5] [--postgres]

Serves the app under gunicorn with the settings `surveyapp serve` ships
(benchmarks/common.py), makes personal links for customers to answer at a steady --rate
per second (paced clients, as benchmarks/exports.py), measures their submits alone for
--alone seconds, then uploads the CSV as the invite page does (the file checked as a
whole in the request, then handed to a job) and lets `surveyapp jobs` import it while
the customers go on answering. Prints the upload's check, the import's time and rows
per second, the worker's peak RSS, and the submits' p50, p99 and errors alone and
during the import. With --emails every row has an address (the file then holds about
400,000 rows within the upload's 16 MB limit; each address is checked by
email-validator, about 28 µs a row); without, customer references only, as the
issue's 7.9 MB file.

Targets (issue 29): 1,000,000 rows imported in under 60 s, customers' submits p99 under
100 ms meanwhile.
"""

from __future__ import annotations

import argparse
import sys
import time

from common import ROOT, Customers, cafe_links, fresh_instance, run_jobs_worker, start, stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--emails", action="store_true")
    parser.add_argument("--rate", type=float, default=40, help="submits per second")
    parser.add_argument("--alone", type=float, default=5, help="seconds of submits alone")
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--postgres", action="store_true", help="on PostgreSQL")
    args = parser.parse_args()
    workdir, env = fresh_instance("bench-imports-")
    database = str(workdir / "surveyapp.db")
    cluster = None
    if args.postgres:
        sys.path.insert(0, str(ROOT))
        from tests.helpers import free_port
        from tests.postgres import Cluster

        cluster = Cluster(free_port()).start()
        database = cluster.new_database()
        env["SURVEYAPP_DATABASE"] = database
    from surveyapp import storage
    from surveyapp.services import jobs

    tokens = cafe_links(database, int(args.rate * (300 + args.alone)))
    line = "N-{i},client{i}@example.com,fr\n" if args.emails else "N-{i}\n"
    header = "customer,email,locale\n" if args.emails else "customer\n"
    upload = (header + "".join(line.format(i=i) for i in range(args.rows))).encode()
    assert len(upload) <= 16 * 1024 * 1024, f"{len(upload) / 1e6:.1f} MB: over the upload limit"
    server = start("surveyapp:create_app()", args.workers, env)
    try:
        customers = Customers(server[1], tokens, args.rate)
        customers.start()
        time.sleep(args.alone)
        alone = customers.stop()
        customers.start()
        began = time.perf_counter()
        with storage.open_database(database) as db:
            journey = storage.journeys.get_journey(db, "cafe")
            job_id = jobs.ask_import(
                db,
                journey,
                "meal",
                upload,
                send=False,
                skip_invalid=False,
                user_id=None,
                locale="fr",
            )
        asked = time.perf_counter() - began
        job, took, peak = run_jobs_worker(env, database, job_id)
        took += asked
        during = customers.stop()
    finally:
        stop(server[0])
        if cluster:
            cluster.stop()
    assert job["state"] == "done", job["error"]
    result = job["result"]
    print(
        f"{'PostgreSQL' if cluster else 'SQLite'}: {args.rows:,} rows "
        f"({len(upload) / 1e6:.1f} MB{', with emails' if args.emails else ''}): "
        f"checked and stored in {asked * 1000:.0f} ms, imported in {took:.1f} s "
        f"({args.rows / took:,.0f} rows/s; target < 60 s for 1,000,000), "
        f"{result['made']:,} links made, links.csv {result['size'] / 1e6:.1f} MB, "
        f"jobs worker peak RSS {peak:.0f} MB\n"
        f"  submits at {args.rate:g}/s alone:  {alone['submits']} submits, p50 "
        f"{alone['p50']:.1f} ms, p99 {alone['p99']:.1f} ms, {alone['errors']} errors\n"
        f"  submits during the import: {during['submits']} submits, p50 "
        f"{during['p50']:.1f} ms, p99 {during['p99']:.1f} ms (target < 100 ms), "
        f"{during['errors']} errors"
    )


if __name__ == "__main__":
    main()
