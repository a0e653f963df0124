"""Benchmark: the journey dashboard and scores at 100,000 and 1,000,000 responses.

    .venv/bin/python benchmarks/dashboard.py [--sizes 100000 1000000] [--repeat 20]
                                             [--postgres]

Fills a real SQLite file (or, with --postgres, a database on a throwaway PostgreSQL
cluster on 127.0.0.1, tests/postgres.py) with a year of responses for the 7-moment SaaS journey
(written in bulk; the daily tallies and follow-ups are derived from them
exactly as the app keeps them), then times, in this process, the server work of
GET /admin/j/<journey> (login done beforehand) and of `surveyapp scores`.
Target (issue 4): under 100 ms at 1M, and 1M costs at most 1.5x the time of 100k.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from common import DEMO_JOURNEYS, ROOT, logged_in  # benchmarks/common.py


def fill(db, journey, n: int, seed: int = 7) -> None:
    """A year of responses, with the tallies, follow-ups and counts the app keeps for
    them, written in bulk through SQLAlchemy Core (the same on both engines)."""
    import sqlalchemy as sa

    from surveyapp import storage
    from surveyapp.domain import scoring, surveys
    from surveyapp.storage import tables

    rng = random.Random(seed)
    start = date(2025, 11, 23)
    moments = [(m, surveys.survey_for(journey, m)) for m in journey.moments]
    rows, tallies = [], {}
    for i in range(n):
        moment, survey = moments[i % len(moments)]
        polarity = rng.choices(("positive", "neutral", "negative"), (6, 2, 2))[0]
        answers = {survey.deciding.key: polarity}
        if survey.deciding.type == "nps":
            answers = {"recommend": {"positive": 9, "neutral": 7, "negative": 3}[polarity]}
        day = (start + timedelta(days=rng.randrange(365))).isoformat()
        comment = "Temps d'attente trop long" if polarity == "negative" and i % 3 == 0 else None
        locale, channel = rng.choice(("fr", "ro", "en")), rng.choice(("email", "link"))
        rows.append(
            {
                "journey_id": journey.id,
                "moment_id": moment.id,
                "created_at": f"{day}T12:00:00.{i % 1000000:06d}Z",
                "day": day,
                "locale": locale,
                "channel": channel,
                "polarity": polarity,
                "answers": json.dumps(answers),
                "comment": comment,
                "customer_ref": f"C-{i % 50000}",
            }
        )
        # The tallies the app keeps per response, added up in one go.
        key = (journey.id, moment.id, day, locale, channel)
        total = tallies.setdefault(key, dict.fromkeys(scoring.TALLY_FIELDS, 0))
        for name, value in scoring.tally_increments(survey, answers, polarity).items():
            total[name] += value
    with storage.transaction(db):
        for begin in range(0, n, 20_000):
            db.execute(sa.insert(tables.responses), rows[begin : begin + 20_000])
        db.execute(
            sa.insert(tables.daily_tallies),
            [
                dict(zip(("journey_id", "moment_id", "day", "locale", "channel"), k, strict=True))
                | total
                for k, total in tallies.items()
            ],
        )
        r, f = tables.responses.c, tables.followups.c
        status = sa.case((r.id % 4 == 0, "resolved"), else_="open")
        db.execute(
            sa.insert(tables.followups).from_select(
                ["response_id", "journey_id", "moment_id", "status", "updated_at"],
                sa.select(r.id, r.journey_id, r.moment_id, status, r.created_at).where(
                    r.polarity == "negative"
                ),
            )
        )
        db.execute(
            sa.insert(tables.followup_counts).from_select(
                ["journey_id", "moment_id", "open"],
                sa.select(f.journey_id, f.moment_id, sa.func.count())
                .where(f.status != "resolved")
                .group_by(f.journey_id, f.moment_id),
            )
        )


def measure(size: int, repeat: int, database: str | None = None) -> dict[str, float]:
    """The figures for one size, on a new SQLite file or on ``database`` (a new, empty
    PostgreSQL database's URL)."""
    instance = Path(tempfile.mkdtemp(prefix=f"bench-dashboard-{size}-"))
    os.environ["SURVEYAPP_INSTANCE_PATH"] = str(instance)
    database = database or str(instance / "surveyapp.db")
    os.environ["SURVEYAPP_DATABASE"] = database
    from surveyapp import create_app, storage
    from surveyapp.domain import scoring
    from surveyapp.domain.definitions import read_definition_file
    from surveyapp.services import accounts

    journey = read_definition_file(DEMO_JOURNEYS / "saas-onboarding.yaml")
    db = storage.open_database(database)
    storage.journeys.store_journeys(db, [journey])
    accounts.create(db, "bench", "benchmark password", "admin")
    started = time.perf_counter()
    fill(db, journey, size)
    filled = time.perf_counter() - started
    db.exec_driver_sql("ANALYZE")
    if db.in_transaction():
        db.commit()
    db.close()

    client = logged_in(create_app({"SECRET_KEY": "bench"}))

    def timed(call) -> float:
        call()  # warm up caches once
        samples = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            call()
            samples.append((time.perf_counter() - t0) * 1000)
        return statistics.median(samples)

    def dashboard():
        response = client.get("/admin/j/saas-onboarding?lang=fr")
        assert response.status_code == 200

    def scores():
        with storage.connect(database) as conn:
            tallies = storage.tallies.moment_tallies(conn, journey.id)
            scoring.journey_scores(
                journey, storage.journeys.retired_moments(conn, journey.id), tallies
            )

    def journeys_list():
        assert client.get("/admin/").status_code == 200

    return {
        "fill_s": filled,
        "dashboard_ms": timed(dashboard),
        "scores_ms": timed(scores),
        "journeys_ms": timed(journeys_list),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--postgres", action="store_true", help="on a throwaway PostgreSQL cluster instead"
    )
    args = parser.parse_args()
    cluster = None
    if args.postgres:
        sys.path.insert(0, str(ROOT))
        from tests.helpers import free_port
        from tests.postgres import Cluster

        cluster = Cluster(free_port()).start()
    try:
        results = {
            size: measure(size, args.repeat, cluster.new_database() if cluster else None)
            for size in args.sizes
        }
    finally:
        if cluster:
            from surveyapp import storage

            storage.dispose_all()
            cluster.stop()
    print(f"engine: {'PostgreSQL' if cluster else 'SQLite'}")
    print(
        f"{'responses':>10}  {'dashboard ms':>12}  {'scores ms':>9}  {'journeys ms':>11}"
        "  (median of repeats; fill time not counted)"
    )
    for size, r in results.items():
        print(
            f"{size:>10,}  {r['dashboard_ms']:>12.1f}  {r['scores_ms']:>9.1f}  "
            f"{r['journeys_ms']:>11.1f}"
        )
    if len(results) > 1:
        small, large = results[min(results)], results[max(results)]
        for key in ("dashboard_ms", "scores_ms", "journeys_ms"):
            print(
                f"ratio {max(results):,} / {min(results):,} for {key}: "
                f"{large[key] / small[key]:.2f}x (target <= 1.5x)"
            )


if __name__ == "__main__":
    main()
