"""Benchmark: the journey dashboard and scores at 100,000 and 1,000,000 responses.

    .venv/bin/python benchmarks/dashboard.py [--sizes 100000 1000000] [--repeat 20]

Fills a real SQLite file with a year of responses for the 7-moment SaaS journey
(written in bulk with SQL; the daily tallies and follow-ups are derived from them
exactly as the app keeps them), then times, in this process, the server work of
GET /admin/j/<journey> (login done beforehand) and of `surveyapp scores`.
Target (issue 4): under 100 ms at 1M, and 1M costs at most 1.5x the time of 100k.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_JOURNEYS = ROOT / "surveyapp" / "cli" / "demo_journeys"


def fill(db, journey, n: int, seed: int = 7) -> None:
    from surveyapp import storage
    from surveyapp.domain import scoring, surveys

    rng = random.Random(seed)
    start = date(2025, 11, 23)
    moments = [(m, surveys.survey_for(journey, m)) for m in journey.moments]
    rows = []
    for i in range(n):
        moment, survey = moments[i % len(moments)]
        polarity = rng.choices(("positive", "neutral", "negative"), (6, 2, 2))[0]
        answers = {survey.deciding.key: polarity}
        if survey.deciding.type == "nps":
            answers = {"recommend": {"positive": 9, "neutral": 7, "negative": 3}[polarity]}
        day = (start + timedelta(days=rng.randrange(365))).isoformat()
        comment = "Temps d'attente trop long" if polarity == "negative" and i % 3 == 0 else None
        rows.append(
            (
                journey.id,
                moment.id,
                f"{day}T12:00:00.{i % 1000000:06d}Z",
                day,
                rng.choice(("fr", "ro", "en")),
                rng.choice(("email", "link")),
                polarity,
                json.dumps(answers),
                comment,
                f"C-{i % 50000}",
            )
        )
    db.conn.executemany(
        "INSERT INTO responses (journey_id, moment_id, created_at, day, locale, channel, "
        "polarity, answers, comment, customer_ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    # The tallies the app keeps per response, recomputed in one go.
    fields = scoring.TALLY_FIELDS
    db.execute(
        f"INSERT INTO daily_tallies (journey_id, moment_id, day, locale, channel, "
        f"{', '.join(fields)}) SELECT journey_id, moment_id, day, locale, channel, COUNT(*), "
        "SUM(polarity = 'positive'), SUM(polarity = 'neutral'), SUM(polarity = 'negative'), "
        "SUM(json_extract(answers, '$.recommend') IS NOT NULL), "
        "COALESCE(SUM(json_extract(answers, '$.recommend') >= 9), 0), "
        "COALESCE(SUM(json_extract(answers, '$.recommend') <= 6), 0), 0, 0, 0, 0, 0 "
        "FROM responses GROUP BY journey_id, moment_id, day, locale, channel"
    )
    db.execute(
        "INSERT INTO followups (response_id, journey_id, moment_id, status, updated_at) "
        "SELECT id, journey_id, moment_id, CASE WHEN id % 4 = 0 THEN 'resolved' ELSE 'open' "
        "END, created_at FROM responses WHERE polarity = 'negative'"
    )
    db.execute(
        "INSERT INTO followup_counts (journey_id, moment_id, open) SELECT journey_id, "
        "moment_id, COUNT(*) FROM followups WHERE status != 'resolved' "
        "GROUP BY journey_id, moment_id"
    )
    db.conn.commit()
    storage.connect  # noqa: B018 - the app opens its own connections below


def measure(size: int, repeat: int) -> dict[str, float]:
    instance = Path(tempfile.mkdtemp(prefix=f"bench-dashboard-{size}-"))
    os.environ["SURVEYAPP_INSTANCE_PATH"] = str(instance)
    from surveyapp import create_app, storage
    from surveyapp.domain import scoring
    from surveyapp.domain.definitions import read_definition_file
    from surveyapp.jobs import accounts

    journey = read_definition_file(DEMO_JOURNEYS / "saas-onboarding.yaml")
    db = storage.open_database(instance / "surveyapp.db")
    storage.store_journeys(db, [journey])
    accounts.create(db, "bench", "benchmark password", "admin")
    started = time.perf_counter()
    fill(db, journey, size)
    filled = time.perf_counter() - started
    db.execute("ANALYZE")
    db.close()

    app = create_app({"SECRET_KEY": "bench"})
    client = app.test_client()
    page = client.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post(
        "/admin/login",
        data={"username": "bench", "password": "benchmark password", "csrf_token": token},
    )

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
        with storage.connect(instance / "surveyapp.db") as conn:
            tallies = storage.moment_tallies(conn, journey.id)
            scoring.journey_scores(journey, storage.retired_moments(conn, journey.id), tallies)

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
    args = parser.parse_args()
    results = {size: measure(size, args.repeat) for size in args.sizes}
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
