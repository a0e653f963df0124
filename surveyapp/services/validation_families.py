"""Insights checked on generating processes other than our own simulator's: the families
an outside reviewer tried (issue 35), each a different way the world may make answers.

Every family draws customers of the demo SaaS journey from a latent model that is not
the insights' own: each customer has a mood; each moment is lived through a latent
experience that shares it (correlation ``rho``), read as pain, so-so or glory by
thresholds; the 0–10 recommendation is a latent score (a base, each moment's planted
effect in points of that scale, optionally the mood itself, logistic noise) rounded and
clipped, so the outcome is ordinal, not the model's additive NPS. Then customers answer
each moment with a chance that may depend on their outcome. The planted roles follow
the effects: glory and pain both (moment of truth), pain only (breaker), glory only
(maker), none (neutral). Rows go through ``insights.analyse`` exactly as stored answers
would; services/validation.py counts what was found.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np

from surveyapp.domain.journeys import Journey
from surveyapp.services import insights
from surveyapp.services.validation import Confusion, record

MOMENTS = ("reviews", "first-visit", "delivery", "onboarding-call", "billing", "support-ticket")
OUTCOME = "recommendation"
#: Effects planted by most families, in points of the 0–10 scale (about 20 to 50 NPS
#: points at the families' noise).
DRIVERS = {
    "delivery": (1.5, 1.5),  # moment of truth
    "onboarding-call": (0.0, 2.0),  # breaker
    "reviews": (1.6, 0.0),  # maker
}


@dataclass(frozen=True)
class Family:
    """One generating process."""

    name: str
    effects: dict[str, tuple[float, float]] = field(default_factory=lambda: dict(DRIVERS))
    rho: float = 0.5  # correlation of the latent experiences through the mood
    mood_weight: float = 0.0  # points of the outcome per unit of mood, besides the moments
    pain: float = 0.2  # share of customers who live a moment as pain
    glory: float = 0.4
    rare_pain: tuple[str, ...] = ()  # moments whose pain is 2%
    answer: tuple[float, float, float] = (0.7, 0.7, 0.7)  # detractors, passives, promoters
    interaction: tuple[str, str, float] | None = None  # a's pain costs this only after b's
    noise: float = 1.0  # logistic scale of the outcome's noise
    base: float = 7.6
    incidence: float = 0.3  # customers who had a problem to resolve (support-ticket)

    def roles(self) -> dict[str, str]:
        """The planted role of each moment."""
        roles = {}
        for moment in MOMENTS:
            glory, pain = self.effects.get(moment, (0.0, 0.0))
            if self.interaction and moment == self.interaction[0]:
                pain = self.interaction[2]
            roles[moment] = (
                "moment_of_truth"
                if glory and pain
                else "breaker"
                if pain
                else "maker"
                if glory
                else "neutral"
            )
        return roles


FAMILIES: dict[str, Family] = {
    family.name: family
    for family in (
        Family("ordinal"),
        Family("moods-0.9", rho=0.9),
        Family("mood-skips", answer=(0.36, 0.6, 0.86)),
        Family("interaction", interaction=("billing", "delivery", 3.0)),
        Family("rare-pain", effects={"reviews": (1.6, 0.0)}, rare_pain=("reviews",)),
        Family("all-null", effects={}),
        Family("mood-path", mood_weight=1.0),
    )
}


def draw(family: Family, customers: int, seed: int) -> list[tuple[str, str, str, Any]]:
    """Simulated answers as storage gives them to the insights: (customer, moment,
    polarity, NPS answer), the outcome last for each customer."""
    rng = np.random.default_rng(seed)
    k = len(MOMENTS)
    mood = rng.standard_normal(customers)
    latent = family.rho * mood[:, None] + math.sqrt(1 - family.rho**2) * rng.standard_normal(
        (customers, k)
    )
    cut = NormalDist().inv_cdf
    pain_at = np.array([cut(0.02 if m in family.rare_pain else family.pain) for m in MOMENTS])
    pain = latent < pain_at
    glory = latent > cut(1 - family.glory)
    lived = np.ones((customers, k), dtype=bool)
    ticket = MOMENTS.index("support-ticket")
    lived[:, ticket] = rng.random(customers) < family.incidence
    score = family.base + family.mood_weight * mood
    for j, moment in enumerate(MOMENTS):
        gain, cost = family.effects.get(moment, (0.0, 0.0))
        score = score + lived[:, j] * (gain * glory[:, j] - cost * pain[:, j])
    if family.interaction:
        a, b, cost = family.interaction
        ja, jb = MOMENTS.index(a), MOMENTS.index(b)
        score = score - cost * (pain[:, ja] & pain[:, jb])
    u = rng.random(customers).clip(1e-9, 1 - 1e-9)
    score = score + family.noise * np.log(u / (1 - u))
    nps = np.clip(np.rint(score), 0, 10).astype(int)
    group = np.where(nps <= 6, 0, np.where(nps <= 8, 1, 2))
    answers = rng.random((customers, k)) < np.array(family.answer)[group][:, None]
    rows: list[tuple[str, str, str, Any]] = []
    for c in range(customers):
        customer = f"F-{seed}-{c}"
        for j, moment in enumerate(MOMENTS):
            if lived[c, j] and answers[c, j]:
                polarity = "negative" if pain[c, j] else "positive" if glory[c, j] else "neutral"
                rows.append((customer, moment, polarity, None))
        outcome = "positive" if nps[c] >= 9 else "negative" if nps[c] <= 6 else "neutral"
        rows.append((customer, OUTCOME, outcome, int(nps[c])))
    return rows


def validate(journey: Journey, family: Family, *, seeds: range, customers: int) -> Confusion:
    """Draw the family ``len(seeds)`` times and count what the insights found."""
    confusion = Confusion()
    roles = family.roles()
    for seed in seeds:
        result = insights.analyse(journey, draw(family, customers, seed))
        record(confusion, roles, result, customers)
    return confusion
