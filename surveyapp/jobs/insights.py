"""Journey insights: which moments decide whether a customer stays and recommends.

Responses of one customer (their customer reference) are linked across the journey.
The *outcome* is the journey's last ``lmot`` or ``loyalty`` moment: each customer's
outcome is +100 (promoter), 0 (passive) or -100 (detractor) when it asks NPS, else 100
(positive) or 0, so a group's mean is its NPS, or its positive share in %.

For every other moment, customers who answered both are split by how they lived the
moment. The *glory lift* is the outcome of those who lived glory minus that of those who
lived it as so-so, the *pain drag* the so-so outcome minus the pain outcome (when too few
lived it as so-so, the outcome of everyone who answered both stands in). Labels:

- moment of truth: both lift and drag reach the threshold;
- breaker: pain drags the outcome down, glory adds little;
- maker: glory lifts it, pain costs little;
- neutral: neither does; not enough data: a group is smaller than the minimum.

No Flask here; storage gives the rows, this module only computes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from surveyapp import storage
from surveyapp.domain.i18n import N_
from surveyapp.domain.journeys import Journey
from surveyapp.domain.statistics import Difference, mean_difference
from surveyapp.domain.surveys import survey_for
from surveyapp.domain.vocabulary import POLARITIES, THRESHOLDS
from surveyapp.storage import Database

#: A difference of at least this (NPS points, or % points) counts as moving the outcome.
THRESHOLD = 15.0
#: Fewer customers than this in glory or in pain: "not enough data".
MIN_GROUP = 30
LABELS = ("moment_of_truth", "breaker", "maker", "neutral", "not_enough_data")
#: How each label is named to CX managers (message ids).
LABEL_NAMES = {
    "moment_of_truth": N_("Moment of truth"),
    "breaker": N_("Breaker"),
    "maker": N_("Maker"),
    "neutral": N_("Little effect"),
    "not_enough_data": N_("Not enough data"),
}
POLARITY_SCORE = {"positive": 1, "neutral": 0, "negative": -1}


@dataclass
class Group:
    """Customers who lived a moment one way, and their outcome."""

    n: int
    outcome: float | None

    @classmethod
    def of(cls, values: list[float]) -> Group:
        return cls(len(values), sum(values) / len(values) if values else None)


@dataclass
class MomentImpact:
    id: str
    kind: str
    name: str
    label: str
    both: int
    glory: Group
    so_so: Group
    pain: Group
    glory_vs_pain: Difference | None
    glory_lift: float | None
    pain_drag: float | None
    baseline: str  # "so-so" or "everyone"
    pain_peaks: int = 0


@dataclass
class Recovery:
    id: str
    name: str
    recovered: Group
    never_a_problem: Group
    difference: Difference | None
    paradox: bool | None  # recovered customers end at least as well as untroubled ones


@dataclass
class Insights:
    journey: str
    outcome_moment: str | None
    outcome_metric: str  # "nps" or "positive_share"
    customers: int
    moments: list[MomentImpact] = field(default_factory=list)
    peak_end: dict[str, Any] = field(default_factory=dict)
    recoveries: list[Recovery] = field(default_factory=list)
    min_group: int = MIN_GROUP
    threshold: float = THRESHOLD

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def label_of(
    glory: Group,
    pain: Group,
    lift: float | None,
    drag: float | None,
    min_group: int,
    threshold: float,
) -> str:
    if glory.n < min_group or pain.n < min_group or lift is None or drag is None:
        return "not_enough_data"
    if lift >= threshold and drag >= threshold:
        return "moment_of_truth"
    if drag >= threshold:
        return "breaker"
    if lift >= threshold:
        return "maker"
    return "neutral"


def outcome_moment(journey: Journey):
    """The journey's outcome: its last lmot or loyalty moment, or None."""
    candidates = [m for m in journey.moments if m.kind in ("lmot", "loyalty")]
    return candidates[-1] if candidates else None


def compute(
    db: Database,
    journey: Journey,
    *,
    min_group: int = MIN_GROUP,
    threshold: float = THRESHOLD,
    name_locale: str | None = None,
) -> Insights:
    """Every insight of a journey, from the responses linked by customer reference."""
    locale = name_locale if name_locale in journey.locales else journey.default_locale
    outcome = outcome_moment(journey)
    if outcome is None:
        return Insights(journey.id, None, "none", 0, min_group=min_group, threshold=threshold)
    survey = survey_for(journey, outcome)
    metric = "nps" if survey.asks("nps") else "positive_share"
    nps_key = next((q.key for q in survey.questions if q.type == "nps"), None)
    # The latest answer of each customer to each moment.
    polarity: dict[str, dict[str, str]] = defaultdict(dict)
    outcome_of: dict[str, float] = {}
    order = {m.id: i for i, m in enumerate(journey.moments)}
    promoter, passive = THRESHOLDS["nps"]
    for customer, moment_id, pol, nps in storage.linked_responses(
        db, journey.id, nps_key, outcome.id
    ):
        polarity[customer][moment_id] = pol
        if moment_id == outcome.id:
            if metric == "nps":
                outcome_of[customer] = (
                    100.0 if nps >= promoter else (-100.0 if nps < passive else 0.0)
                )
            else:
                outcome_of[customer] = 100.0 if pol == "positive" else 0.0

    insights = Insights(
        journey.id, outcome.id, metric, len(outcome_of), min_group=min_group, threshold=threshold
    )
    peaks = _peak_end(polarity, order, insights)
    # One pass over the customers fills every moment's glory, so-so and pain groups.
    by_moment: dict[str, dict[str, list[float]]] = {
        m.id: {p: [] for p in POLARITIES} for m in journey.moments
    }
    for customer, value in outcome_of.items():
        for moment_id, pol in polarity[customer].items():
            if moment_id in by_moment:
                by_moment[moment_id][pol].append(value)
    for moment in journey.moments:
        if moment.id == outcome.id:
            continue
        groups = by_moment[moment.id]
        everyone = groups["positive"] + groups["neutral"] + groups["negative"]
        glory, so_so, pain = (Group.of(groups[p]) for p in POLARITIES)
        if so_so.n >= min_group:
            base, baseline = so_so.outcome, "so-so"
        else:
            base, baseline = Group.of(everyone).outcome, "everyone"
        lift = (
            round(glory.outcome - base, 1)
            if glory.outcome is not None and base is not None
            else None
        )
        drag = (
            round(base - pain.outcome, 1) if pain.outcome is not None and base is not None else None
        )
        insights.moments.append(
            MomentImpact(
                id=moment.id,
                kind=moment.kind,
                name=moment.display_name(locale, journey.default_locale),
                label=label_of(glory, pain, lift, drag, min_group, threshold),
                both=len(everyone),
                glory=glory,
                so_so=so_so,
                pain=pain,
                glory_vs_pain=mean_difference(groups["positive"], groups["negative"]),
                glory_lift=lift,
                pain_drag=drag,
                baseline=baseline,
                pain_peaks=peaks.get(moment.id, 0),
            )
        )
    insights.recoveries = _recoveries(journey, polarity, outcome_of, locale)
    return insights


def _peak_end(polarity, order, insights: Insights) -> Counter:
    """Peak-end score beside the plain mean, per customer with several answers.

    A customer's peak is their most intense moment (|score| largest; between equals, pain
    over glory, then the later one); the peak-end score is the mean of the peak and the
    last moment, on the scale glory +1, so-so 0, pain -1.
    """
    pain_peaks: Counter = Counter()
    gaps = []
    peak_end_scores, means = [], []
    for answers in polarity.values():
        if len(answers) < 2:
            continue
        lived = sorted(answers.items(), key=lambda item: order.get(item[0], len(order)))
        scores = [(POLARITY_SCORE[p], order.get(m, len(order)), m) for m, p in lived]
        peak = max(scores, key=lambda s: (abs(s[0]), -s[0], s[1]))
        last = scores[-1]
        pe = (peak[0] + last[0]) / 2
        mean = sum(s[0] for s in scores) / len(scores)
        peak_end_scores.append(pe)
        means.append(mean)
        gaps.append(pe - mean)
        if peak[0] < 0:
            pain_peaks[peak[2]] += 1
    n = len(gaps)
    insights.peak_end = {
        "customers": n,
        "mean_peak_end": round(sum(peak_end_scores) / n, 3) if n else None,
        "mean_plain": round(sum(means) / n, 3) if n else None,
        "mean_gap": round(sum(gaps) / n, 3) if n else None,
        "share_diverging": round(sum(abs(g) >= 0.5 for g in gaps) / n, 3) if n else None,
        "pain_peaks": dict(pain_peaks.most_common()),
    }
    return pain_peaks


def _recoveries(journey, polarity, outcome_of, locale) -> list[Recovery]:
    """Customers whose problem was resolved well, against those who never had a problem."""
    recoveries = []
    recovery_ids = {m.id for m in journey.moments if m.kind == "recovery"}
    untroubled = [
        outcome_of[c]
        for c, answers in polarity.items()
        if c in outcome_of
        and not (recovery_ids & answers.keys())
        and "negative" not in answers.values()
    ]
    for moment in journey.moments:
        if moment.kind != "recovery":
            continue
        recovered = [
            outcome_of[c]
            for c, answers in polarity.items()
            if c in outcome_of and answers.get(moment.id) == "positive"
        ]
        difference = mean_difference(recovered, untroubled)
        recoveries.append(
            Recovery(
                id=moment.id,
                name=moment.display_name(locale, journey.default_locale),
                recovered=Group.of(recovered),
                never_a_problem=Group.of(untroubled),
                difference=difference,
                paradox=None if difference is None else difference.value >= 0,
            )
        )
    return recoveries
