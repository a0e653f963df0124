"""Validation: insights against planted truths with correlated moments.

    .venv/bin/python benchmarks/insights_validation.py [--seeds 20] [--customers 400 60]
    .venv/bin/python benchmarks/insights_validation.py --families [--seeds 20]
        [--customers 200 400 1000]

For each of the validation truths of the demo SaaS journey (surveyapp/services/validation.py:
drivers of every kind among neutral moments that share each customer's mood, and a
journey where nothing matters), draws ``--seeds`` simulated journeys per customer count,
analyses each as `surveyapp insights` does, and prints the confusion table (planted role
down, label found across), the false drivers (a moment planted without effect labelled
a breaker, maker or moment of truth), the planted drivers found with their kind, and how
often the 95% intervals of effects planted at zero hold zero. Simulated in memory: the
database path is the same code and is tested apart.

With ``--families``, the same for generating processes of other families
(services/validation_families.py: an ordinal outcome, moods correlated at 0.9, skips
that follow mood, an interaction, a 2% pain, nothing at all, a direct mood path), per
family and size: the journeys with a wrong label, the planted drivers found with their
kind (power), the table.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--customers", type=int, nargs="+", default=None)
    parser.add_argument("--families", action="store_true", help="other generating processes")
    args = parser.parse_args()
    if args.families:
        return families(args.seeds, args.customers or [200, 400, 1000])
    args.customers = args.customers or [400, 60]
    from surveyapp.domain.definitions import read_definition_file
    from surveyapp.services import validation

    journey = read_definition_file(ROOT / "surveyapp/cli/demo_journeys/saas-onboarding.yaml")
    for customers in args.customers:
        started = time.perf_counter()
        found = validation.validate(
            journey, validation.SAAS_TRUTHS, seeds=range(1, args.seeds + 1), customers=customers
        )
        seconds = time.perf_counter() - started
        print(
            f"\n{customers} customers, {args.seeds} seeds x {len(validation.SAAS_TRUTHS)} "
            f"truths = {found.runs} journeys ({seconds:.1f} s)"
        )
        print(found.table())
        share = found.drivers_found / found.drivers_planted if found.drivers_planted else 0
        print(
            f"false drivers: {found.false_drivers}; wrong labels: {found.wrong_labels}; "
            f"planted drivers found with their kind: {found.drivers_found} of "
            f"{found.drivers_planted} ({share:.0%}); intervals of zero effects holding "
            f"zero: {found.covering} of {found.intervals} "
            f"({found.covering / max(found.intervals, 1):.1%})"
        )


def families(seeds: int, sizes: list[int]) -> None:
    """Every family at every size: wrong-label journeys, power, the table."""
    from surveyapp.domain.definitions import read_definition_file
    from surveyapp.services import validation_families

    journey = read_definition_file(ROOT / "surveyapp/cli/demo_journeys/saas-onboarding.yaml")
    print(f"{'family':<14}{'customers':>10}{'journeys':>10}{'wrong':>8}{'found':>12}{'false':>7}")
    tables = []
    for name, family in validation_families.FAMILIES.items():
        for customers in sizes:
            found = validation_families.validate(
                journey, family, seeds=range(1, seeds + 1), customers=customers
            )
            power = (
                f"{found.drivers_found}/{found.drivers_planted}" if found.drivers_planted else "-"
            )
            print(
                f"{name:<14}{customers:>10}{found.runs:>10}"
                f"{found.wrong_journeys / found.runs:>8.0%}{power:>12}{found.false_drivers:>7}"
            )
            tables.append(f"\n{name}, {customers} customers\n{found.table()}")
    print("\n".join(tables))


if __name__ == "__main__":
    main()
