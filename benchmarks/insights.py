"""Benchmark: insights of a 7-moment journey with 100,000 customers (~400,000 responses).

    .venv/bin/python benchmarks/insights.py [--customers 100000] [--repeat 5]

Simulates the SaaS journey (response rate 0.5 on each moment, every customer answers
the outcome, moods correlated at the default halo) into a real SQLite file, then times
`insights.compute` (what `surveyapp insights`, the admin page and the API run): reading
the linked answers, the joint model with its Shapley shares and 200 bootstrap resamples,
the peak-end test. Target (issues 6 and 13): under 2 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_JOURNEYS = ROOT / "surveyapp" / "cli" / "demo_journeys"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="bench-insights-"))
    os.environ["SURVEYAPP_INSTANCE_PATH"] = str(instance)
    from surveyapp import storage
    from surveyapp.domain.definitions import read_definition_file
    from surveyapp.services import insights, simulate

    journey = read_definition_file(DEMO_JOURNEYS / "saas-onboarding.yaml")
    db = storage.open_database(instance / "surveyapp.db")
    storage.journeys.store_journeys(db, [journey])
    truth = simulate.default_truth(journey)
    for spec in truth["moments"].values():
        spec["response_rate"] = 0.5
    started = time.perf_counter()
    summary = simulate.run(db, journey, customers=args.customers, seed=1, truth=truth)
    print(
        f"simulated {args.customers:,} customers, {summary['responses']:,} responses in "
        f"{time.perf_counter() - started:.1f} s (not counted)"
    )
    samples = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        result = insights.compute(db, journey)
        samples.append(time.perf_counter() - started)
    labels = ", ".join(f"{m.id}={m.label}" for m in result.moments)
    started = time.perf_counter()
    rows = storage.insights.linked_responses(db, journey.id, "recommend", "recommendation")
    read = time.perf_counter() - started
    print(
        f"insights: median {statistics.median(samples):.2f} s, max {max(samples):.2f} s "
        f"over {args.repeat} runs (target < 2 s)"
    )
    print(f"of which reading the {len(rows):,} linked answers: {read:.2f} s")
    print(f"labels: {labels}")


if __name__ == "__main__":
    main()
