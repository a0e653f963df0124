"""Journey insights: which moments decide whether a customer stays and recommends.

Responses of one customer (their customer reference) are linked across the journey; a
later answer to a moment replaces an earlier one. The *outcome* is the journey's last
``lmot`` or ``loyalty`` moment: each customer's outcome is +100 (promoter), 0 (passive)
or -100 (detractor) when it asks NPS, else 100 (positive) or 0, so a group's mean is its
NPS, or its positive share in %.

Every moment's glory lift and pain drag come from one joint model (domain/drivers.py),
so each is net of the others. Labels (docs/insights.md):

- moment of truth: lift and drag both reach the threshold, both surely above zero;
- breaker: only the drag does; maker: only the lift does;
- no clear effect: neither does, or the data cannot tell it from chance;
- not enough data: neither side can be measured. A glory lift is measured when the
  minimum of customers lived the moment as glory and as so-so, a pain drag when as pain
  and as so-so; a side without them is left out (None), the other still tested.

"Surely" means after Holm's correction over every test of the journey: the chance of
labelling any moment that has no effect stays under 5%, however many moments there are.

No Flask here; storage gives the rows, this module only computes. It loads numpy:
the web and the CLI import it where they analyse, so workers do not carry numpy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from surveyapp import storage
from surveyapp.domain import drivers
from surveyapp.domain.insight_vocabulary import (
    INSIGHT_FAMILY_ERROR,
    INSIGHT_LABELS,
    INSIGHT_MARGIN,
    INSIGHT_MIN_GROUP,
    INSIGHT_THRESHOLD,
)
from surveyapp.domain.journeys import Journey
from surveyapp.domain.statistics import Difference, mean_difference, wilson
from surveyapp.domain.surveys import survey_for
from surveyapp.services import answer_rates, insight_rows, peak_end
from surveyapp.storage import Database

# The names the CLI and the pages use for the vocabulary's figures.
THRESHOLD = INSIGHT_THRESHOLD
MIN_GROUP = INSIGHT_MIN_GROUP
#: The labels that name a moment as driving the outcome (the vocabulary lists them first).
DRIVERS = INSIGHT_LABELS[:3]
#: Kinds of moment only some customers live: no answer there mostly means it never
#: happened, not that it was skipped (domain/drivers.py fills in only skipped moments).
LIVED_BY_SOME = frozenset({"recovery"})


@dataclass
class Group:
    """Customers who lived a moment one way, and their outcome."""

    n: int
    outcome: float | None


@dataclass
class Figure:
    """A figure with its 95% interval (a JSON-friendly copy of drivers.Estimate)."""

    value: float
    low: float
    high: float
    p: float | None = None  # two-sided, against no effect at all
    se: float | None = None
    p_material: float | None = None  # one-sided, against an effect no larger than the margin
    adjusted_p: float | None = None  # p_material after Holm's correction over the journey
    # The smallest effect of this kind the journey's tests would label 4 times in 5 at
    # this sample size: smaller ones would go unseen (drivers.detectable).
    unseen_below: float | None = None


@dataclass
class MomentImpact:
    id: str
    kind: str
    name: str
    label: str
    answered: int  # customers in the model who answered this moment
    glory: Group
    so_so: Group
    pain: Group
    glory_lift: Figure | None  # how much higher glory ends than so-so, net of the others
    pain_drag: Figure | None  # how much lower pain ends than so-so, net of the others
    pain_share: Figure | None  # % of this moment's answers that were pain
    importance: Figure | None  # % of what the journey explains of the outcome
    pain_peaks: int = 0


@dataclass
class Recovery:
    id: str
    name: str
    recovered: Group
    never_a_problem: Group
    difference: Difference | None
    # True: recovered customers end higher than untroubled ones, the whole interval above
    # zero (the recovery paradox); False: lower, the whole interval below; None: the
    # data cannot tell (the interval holds no difference), or there are too few.
    paradox: bool | None


@dataclass
class Insights:
    journey: str
    outcome_moment: str | None
    outcome_metric: str  # "nps" or "positive_share"
    customers: int  # customers with an outcome
    modelled: int = 0  # of them, those who answered at least one other moment
    explained: float | None = None  # R² of the joint model, in %
    moments: list[MomentImpact] = field(default_factory=list)
    peak_end: dict[str, Any] = field(default_factory=dict)
    recoveries: list[Recovery] = field(default_factory=list)
    # How often each outcome group answered the other moments, and their widest gap
    # (services/answer_rates.py): when skipping follows mood, the page says so.
    answer_rates: list[answer_rates.AnswerRate] = field(default_factory=list)
    mood_gap: answer_rates.MoodGap | None = None
    shares_withheld: bool = False  # no label sure: the importance shares are not given
    outcomes: list[str] = field(default_factory=list)  # every outcome the journey names
    min_group: int = MIN_GROUP
    threshold: float = THRESHOLD
    margin: float = INSIGHT_MARGIN
    family_error: float = INSIGHT_FAMILY_ERROR
    correction: str = "holm"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def outcome_moments(journey: Journey) -> list:
    """The journey's outcomes: the moments it names (``outcome: true``), else its last
    lmot or loyalty moment; none without either."""
    named = [m for m in journey.moments if m.outcome]
    if named:
        return named
    candidates = [m for m in journey.moments if m.kind in ("lmot", "loyalty")]
    return candidates[-1:]


def outcome_moment(journey: Journey, chosen: str | None = None):
    """The outcome analysed: ``chosen`` if it is one of the journey's, else its first
    (the one the pages show first); None without any."""
    outcomes = outcome_moments(journey)
    return next((m for m in outcomes if m.id == chosen), outcomes[0] if outcomes else None)


def compute(
    db: Database,
    journey: Journey,
    *,
    min_group: int = MIN_GROUP,
    threshold: float = THRESHOLD,
    name_locale: str | None = None,
    outcome_id: str | None = None,
) -> Insights:
    """Every insight of a journey for one of its outcomes (``outcome_id``, else the
    first), from the responses linked by customer reference."""
    outcome = outcome_moment(journey, outcome_id)
    if outcome is None:
        return Insights(journey.id, None, "none", 0, min_group=min_group, threshold=threshold)
    survey = survey_for(journey, outcome)
    nps_key = next((q.key for q in survey.questions if q.type == "nps"), None)
    linked = storage.insights.linked_responses(db, journey.id, nps_key, outcome.id)
    return analyse(
        journey,
        linked,
        min_group=min_group,
        threshold=threshold,
        name_locale=name_locale,
        outcome_id=outcome.id,
    )


def analyse(
    journey: Journey,
    linked: Iterable[tuple[str, str, str, Any]],
    *,
    min_group: int = MIN_GROUP,
    threshold: float = THRESHOLD,
    name_locale: str | None = None,
    outcome_id: str | None = None,
) -> Insights:
    """Insights from (customer, moment, polarity, NPS answer) rows in answer order, for
    the outcome ``outcome_id`` (else the first); another outcome is never a predictor."""

    locale = name_locale if name_locale in journey.locales else journey.default_locale
    outcome = outcome_moment(journey, outcome_id)
    metric = "nps" if survey_for(journey, outcome).asks("nps") else "positive_share"
    outcomes = {m.id for m in outcome_moments(journey)}
    moments = [m for m in journey.moments if m.id not in outcomes]
    span = 200.0 if metric == "nps" else 100.0
    codes, y = insight_rows.customers(linked, outcome.id, moments, metric)
    has_outcome = ~np.isnan(y)
    modelled = has_outcome & (codes > 0).any(axis=1)
    insights = Insights(
        journey.id,
        outcome.id,
        metric,
        int(has_outcome.sum()),
        modelled=int(modelled.sum()),
        min_group=min_group,
        threshold=threshold,
        outcomes=[m.id for m in outcome_moments(journey)],
    )
    lived_by_all = [m.kind not in LIVED_BY_SOME for m in moments]
    insights.answer_rates, insights.mood_gap = answer_rates.by_outcome(
        codes, y, lived_by_all, metric
    )
    insights.peak_end, peaks = peak_end.summary(codes, y, [m.id for m in moments], min_group)
    fitted = None
    if moments and insights.modelled >= min_group:
        fitted = drivers.fit(
            codes[modelled],
            y[modelled],
            span=span,
            # A problem-resolution moment left unanswered mostly never happened: not
            # filled in (docs/insights.md, "Skipped moments").
            lived_by_all=lived_by_all,
        )
        insights.explained = drivers.clean(100 * fitted.r2)
    polarity_codes = (drivers.GLORY, drivers.SO_SO, drivers.PAIN)
    lived = {
        (j, code): modelled & (codes[:, j] == code)
        for j in range(len(moments))
        for code in polarity_codes
    }

    # A gate per side: a lift is measured where glory and so-so each have enough
    # customers, a drag where pain and so-so do; a rare pain no longer hides a
    # well-measured glory lift (docs/insights.md, "Enough data").
    def measured(j: int, side: int) -> bool:
        return fitted is not None and all(
            lived[(j, c)].sum() >= min_group for c in (side, drivers.SO_SO)
        )

    enough_lift = [measured(j, drivers.GLORY) for j in range(len(moments))]
    enough_drag = [measured(j, drivers.PAIN) for j in range(len(moments))]
    lifts, drags = _holm(fitted, enough_lift, enough_drag, INSIGHT_MARGIN, threshold, span)
    for j, moment in enumerate(moments):
        glory, so_so, pain = (_group(y[lived[(j, c)]]) for c in polarity_codes)
        answered = glory.n + so_so.n + pain.n
        insights.moments.append(
            MomentImpact(
                id=moment.id,
                kind=moment.kind,
                name=moment.display_name(locale, journey.default_locale),
                label=_label(lifts[j], drags[j], threshold)
                if enough_lift[j] or enough_drag[j]
                else "not_enough_data",
                answered=answered,
                glory=glory,
                so_so=so_so,
                pain=pain,
                glory_lift=lifts[j],
                pain_drag=drags[j],
                pain_share=_share(pain.n, answered),
                importance=_figure(fitted.shares[j]) if fitted else None,
                pain_peaks=int(peaks[j]),
            )
        )
    # Shares of R² always sum to 100%: with no effect sure, they divide chance (moments
    # without effect held 31-100% when nothing mattered), so they are not given.
    if not any(m.label in DRIVERS for m in insights.moments):
        insights.shares_withheld = fitted is not None
        for m in insights.moments:
            m.importance = None
    insights.recoveries = _recoveries(journey, moments, codes, y, locale)
    return insights


def _group(values) -> Group:
    return Group(len(values), round(float(values.mean()), 1) + 0.0 if len(values) else None)


def _figure(estimate) -> Figure | None:
    return None if estimate is None else Figure(**asdict(estimate))  # a copy per journey


def _share(part: int, whole: int) -> Figure | None:
    interval = wilson(part, whole)
    if interval is None:
        return None
    return Figure(
        round(100 * part / whole, 1), round(100 * interval[0], 1), round(100 * interval[1], 1)
    )


def _holm(
    fitted,
    enough_lift: list[bool],
    enough_drag: list[bool],
    margin: float,
    threshold: float,
    span: float,
):
    """Each moment's lift and drag as figures (None where its side has too few customers
    to be measured), tested against the margin, their p-values adjusted over the
    journey's whole family: two tests per moment, a side without enough data counting as
    a test that found nothing (so the correction does not loosen when few moments have
    data); each with the smallest effect it would see."""
    if fitted is None:
        return [None] * len(enough_lift), [None] * len(enough_lift)
    lifts = [_figure(e) if ok else None for e, ok in zip(fitted.lift, enough_lift, strict=True)]
    drags = [_figure(e) if ok else None for e, ok in zip(fitted.drag, enough_drag, strict=True)]
    family = [
        (figure, figure is not None) for j in range(len(lifts)) for figure in (lifts[j], drags[j])
    ]
    pvalues = [
        drivers.p_above(figure, margin) if ok and figure is not None else 1.0
        for figure, ok in family
    ]
    for (figure, ok), p, adjusted in zip(family, pvalues, drivers.holm(pvalues), strict=True):
        if ok and figure is not None:
            figure.p_material, figure.adjusted_p = round(p, 6), round(adjusted, 6)
            if figure.se:
                figure.unseen_below = drivers.detectable(
                    figure.se, margin=margin, threshold=threshold, tests=len(family), span=span
                )
    return lifts, drags


def sure(effect: Figure | None, threshold: float) -> bool:
    """An effect that reaches the threshold, whose interval excludes zero, and that is
    surely larger than the margin once every test of the journey is accounted for."""
    return (
        effect is not None
        and effect.value >= threshold
        and effect.low > 0
        and effect.adjusted_p is not None
        and effect.adjusted_p < INSIGHT_FAMILY_ERROR
    )


def _label(lift: Figure | None, drag: Figure | None, threshold: float) -> str:
    lifts, drags = sure(lift, threshold), sure(drag, threshold)
    if lifts and drags:
        return "moment_of_truth"
    if drags:
        return "breaker"
    if lifts:
        return "maker"
    return "no_clear_effect"


def _paradox(difference: Difference | None) -> bool | None:
    """Whether the recovery paradox holds, claimed only when the interval says so."""
    if difference is None or difference.low <= 0 <= difference.high:
        return None
    return difference.low > 0


def _recoveries(journey, moments, codes, y, locale) -> list[Recovery]:
    """Customers whose problem was resolved well, against those who never had a problem
    (no pain anywhere, no problem to resolve)."""
    recoveries = []
    has_outcome = y == y  # not NaN
    resolving = [j for j, m in enumerate(moments) if m.kind == "recovery"]
    untroubled = has_outcome & ~(codes == drivers.PAIN).any(axis=1)
    if resolving:
        untroubled &= ~(codes[:, resolving] > 0).any(axis=1)
    for j in resolving:
        recovered = has_outcome & (codes[:, j] == drivers.GLORY)
        difference = mean_difference(y[recovered].tolist(), y[untroubled].tolist())
        recoveries.append(
            Recovery(
                id=moments[j].id,
                name=moments[j].display_name(locale, journey.default_locale),
                recovered=_group(y[recovered]),
                never_a_problem=_group(y[untroubled]),
                difference=difference,
                paradox=_paradox(difference),
            )
        )
    return recoveries
