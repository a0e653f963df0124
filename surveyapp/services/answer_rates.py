"""How often customers of each outcome group answered the journey's other moments, and
whether that depends on their mood.

The insights model fills a skipped moment in as "skipped", which is sound when skipping
has nothing to do with the outcome. When unhappy customers skip more (detractors
answering a third of the moments, promoters most of them), every driver's effect shrinks
toward zero and some are missed, by an amount the answers themselves cannot give. So the
page shows each group's rate, and says so when the gap between the highest and the
lowest is surely wider than MOOD_GAP points: its 95% interval is all beyond it. Only
moments every customer lives count (a problem to resolve is not skipped by those who
had none). numpy, like the rest of the insights.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from surveyapp.domain.drivers import Z95, clean
from surveyapp.domain.insight_vocabulary import MOOD_GAP

#: The outcome's coded values (services/insights.py) and the group each makes.
GROUPS = {
    "nps": (("promoters", 100.0), ("passives", 0.0), ("detractors", -100.0)),
    "positive_share": (("positive", 100.0), ("not_positive", 0.0)),
}
#: Fewer customers than this in a group: its rate is not shown.
MIN_CUSTOMERS = 10


@dataclass
class AnswerRate:
    """A group's share of the other moments answered, in %, with its 95% interval."""

    group: str
    customers: int
    rate: float
    low: float
    high: float


@dataclass
class MoodGap:
    """The widest gap between two groups' rates, in points, with its 95% interval."""

    value: float
    low: float
    high: float
    follows_mood: bool  # the interval is all beyond MOOD_GAP


def by_outcome(
    codes: np.ndarray, y: np.ndarray, lived_by_all: list[bool], metric: str
) -> tuple[list[AnswerRate], MoodGap | None]:
    """Each outcome group's answer rate (customers × moments lived by all, 0 = not
    answered) and the gap between the highest and lowest, when there are two."""
    columns = [j for j, everyone in enumerate(lived_by_all) if everyone]
    if not columns or metric not in GROUPS:
        return [], None
    has = ~np.isnan(y)
    shares = (codes[has][:, columns] > 0).mean(axis=1) * 100
    outcome = y[has]
    rates, spread = [], []
    for name, value in GROUPS[metric]:
        group = shares[outcome == value]
        if len(group) < MIN_CUSTOMERS:
            continue
        mean = float(group.mean())
        se = float(group.std(ddof=1)) / math.sqrt(len(group))
        rates.append(
            AnswerRate(
                name, len(group), clean(mean), clean(mean - Z95 * se), clean(mean + Z95 * se)
            )
        )
        spread.append((mean, se))
    if len(spread) < 2:
        return rates, None
    (high, se_high), (low, se_low) = max(spread), min(spread)
    se = math.sqrt(se_high**2 + se_low**2)
    gap = high - low
    return rates, MoodGap(
        clean(gap), clean(gap - Z95 * se), clean(gap + Z95 * se), gap - Z95 * se > MOOD_GAP
    )
