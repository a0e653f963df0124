"""Insights checked against planted truths: how often each planted role is found.

Draws simulated customers from several truths and seeds (services/simulate.py, moments
correlated through each customer's mood), analyses each draw as `surveyapp insights`
would, and counts planted role against found label. The tests and
``benchmarks/insights_validation.py`` run it; docs/insights.md gives the figures.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from surveyapp.domain.insight_vocabulary import INSIGHT_LABELS
from surveyapp.domain.journeys import Journey
from surveyapp.domain.surveys import survey_for
from surveyapp.services import insights, simulate

#: Truths for the demo SaaS journey: drivers of every kind among neutral moments that
#: share a mood with them, and a journey where nothing matters at all.
SAAS_TRUTHS: dict[str, dict[str, Any]] = {
    "one-breaker-in-a-halo": {
        "halo": 0.6,
        "moments": {
            "reviews": {"role": "neutral"},
            "first-visit": {"role": "neutral"},
            "delivery": {"role": "breaker", "glory": 0.5, "pain": 0.25},
            "onboarding-call": {"role": "neutral"},
            "billing": {"role": "neutral"},
            "support-ticket": {"role": "neutral", "incidence": 1.0},
        },
    },
    "one-of-each": {
        "halo": 0.4,
        "moments": {
            "reviews": {"role": "maker", "glory": 0.4, "pain": 0.3},
            "first-visit": {"role": "neutral"},
            "delivery": {"role": "moment_of_truth", "glory": 0.45, "pain": 0.3},
            "onboarding-call": {"role": "breaker", "glory": 0.5, "pain": 0.25},
            "billing": {"role": "neutral"},
            "support-ticket": {"role": "neutral", "incidence": 1.0},
        },
    },
    "billing-decides": {
        "halo": 0.5,
        "noise": 1.5,
        "moments": {
            "reviews": {"role": "neutral"},
            "first-visit": {"role": "neutral"},
            "delivery": {"role": "neutral"},
            "onboarding-call": {"role": "neutral"},
            "billing": {"role": "moment_of_truth", "glory": 0.45, "pain": 0.3},
            "support-ticket": {"role": "maker", "glory": 0.5, "pain": 0.25, "incidence": 1.0},
        },
    },
    "nothing-matters": {
        "halo": 0.7,
        "moments": {
            moment: {"role": "neutral"}
            for moment in ("reviews", "first-visit", "delivery", "onboarding-call", "billing")
        }
        | {"support-ticket": {"role": "neutral", "incidence": 1.0}},
    },
}


@dataclass
class Confusion:
    """Planted role × found label, over every truth and seed."""

    runs: int = 0
    customers: int = 0
    counts: Counter = field(default_factory=Counter)  # (role, label) -> moments
    wrong: int = 0  # moments labelled a driver whose label claims what was not planted
    wrong_journeys: int = 0  # journeys with at least one such moment
    intervals: int = 0  # 95% intervals of effects planted at zero ...
    covering: int = 0  # ... and how many of them hold zero (about 95% if they are honest)

    def found(self, role: str) -> int:
        return sum(n for (r, label), n in self.counts.items() if r == role and label == role)

    def planted(self, role: str) -> int:
        return sum(n for (r, _), n in self.counts.items() if r == role)

    @property
    def drivers_planted(self) -> int:
        return sum(self.planted(role) for role in insights.DRIVERS)

    @property
    def drivers_found(self) -> int:
        return sum(self.found(role) for role in insights.DRIVERS)

    @property
    def false_drivers(self) -> int:
        """Moments planted without an effect that were labelled a driver."""
        return sum(
            n
            for (r, label), n in self.counts.items()
            if r == "neutral" and label in insights.DRIVERS
        )

    @property
    def wrong_labels(self) -> int:
        """Labelled a driver that claims a side not planted (a planted neutral labelled
        anything, a breaker labelled a maker); a moment of truth labelled a maker or a
        breaker is found in part, its other side missed or too rare to measure."""
        return self.wrong

    def table(self) -> str:
        """The confusion table as text, planted roles down, found labels across."""
        roles = (*insights.DRIVERS, "neutral")
        width = max(len(label) for label in INSIGHT_LABELS) + 2
        lines = [
            "planted \\ found".ljust(18) + "".join(label.rjust(width) for label in INSIGHT_LABELS)
        ]
        for role in roles:
            lines.append(
                role.ljust(18)
                + "".join(str(self.counts[(role, label)]).rjust(width) for label in INSIGHT_LABELS)
            )
        return "\n".join(lines)


#: The sides of a moment each driver label claims (and each planted role has).
SIDES = {"moment_of_truth": {"lift", "drag"}, "breaker": {"drag"}, "maker": {"lift"}}


def _claims_wrongly(role: str, moment) -> bool:
    """Whether a driver label claims a side that was not planted: a breaker found a
    maker, a neutral moment found anything. A moment of truth found a maker (its drag
    missed, or too rare to measure) is found in part, not wrongly."""
    if moment.label not in insights.DRIVERS:
        return False
    return bool(SIDES[moment.label] - SIDES.get(role, set()))


def linked_rows(journey: Journey, rows: list[dict[str, Any]]):
    """Simulated rows as storage.insights.linked_responses gives them."""
    outcome = insights.outcome_moment(journey)
    nps_key = next((q.key for q in survey_for(journey, outcome).questions if q.type == "nps"), None)
    for row in rows:
        nps = row["answers"].get(nps_key) if row["moment_id"] == outcome.id else None
        yield row["customer"], row["moment_id"], row["polarity"], nps


def validate(
    journey: Journey,
    truths: dict[str, dict[str, Any]],
    *,
    seeds: range,
    customers: int,
) -> Confusion:
    """Run every truth with every seed and count what insights found."""
    confusion = Confusion()
    for truth in truths.values():
        checked = simulate.check_truth(journey, truth)
        for seed in seeds:
            rows = simulate.draw(journey, customers=customers, seed=seed, truth=checked)
            result = insights.analyse(journey, linked_rows(journey, rows))
            roles = {m: spec["role"] for m, spec in checked["moments"].items()}
            record(confusion, roles, result, customers)
    return confusion


def record(confusion: Confusion, roles: dict[str, str], result, customers: int) -> None:
    """Count one analysed journey: each moment's planted role against its label."""
    wrong = 0
    for moment in result.moments:
        role = roles.get(moment.id, "neutral")
        confusion.counts[(role, moment.label)] += 1
        wrong += _claims_wrongly(role, moment)
        if role == "neutral":
            for effect in (moment.glory_lift, moment.pain_drag):
                if effect is not None:
                    confusion.intervals += 1
                    confusion.covering += effect.low <= 0 <= effect.high
    confusion.wrong += wrong
    confusion.wrong_journeys += wrong > 0
    confusion.runs += 1
    confusion.customers += customers
