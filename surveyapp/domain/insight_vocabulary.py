"""The words of the insights, each defined once: the labels of what the answers show a
moment to be, their verdicts, the thresholds a label needs, the outcome groups. A part of
the service's vocabulary (:mod:`.vocabulary`), kept apart for its size."""

from __future__ import annotations

from enum import StrEnum

from surveyapp.domain.vocabulary import N_, values


class InsightLabel(StrEnum):
    """What the answers show a moment to be, from surest effect to none (docs/insights.md)."""

    MOMENT_OF_TRUTH = "moment_of_truth"
    BREAKER = "breaker"
    MAKER = "maker"
    NO_CLEAR_EFFECT = "no_clear_effect"
    NOT_ENOUGH_DATA = "not_enough_data"


INSIGHT_LABELS: tuple[str, ...] = values(InsightLabel)
INSIGHT_LABEL_NAMES: dict[str, str] = {
    "moment_of_truth": N_("Moment of truth"),
    "breaker": N_("Breaker"),
    "maker": N_("Maker"),
    "no_clear_effect": N_("No clear effect"),
    "not_enough_data": N_("Not enough data"),
}
#: What a manager should make of each label, ending the moment's sentence on the page.
INSIGHT_VERDICTS: dict[str, str] = {
    # Associations, said as such: what goes with a higher or lower outcome, not what
    # causes it (docs/insights.md, "What these figures can and cannot say").
    "moment_of_truth": N_("a moment of truth, whose glory and pain both go with the outcome"),
    "breaker": N_("a breaker, whose pain goes with a much lower outcome"),
    "maker": N_("a maker, whose glory goes with a much higher outcome"),
    "no_clear_effect": N_("no effect large enough to act on yet"),
}
#: Which of the peak-end score and the plain mean predicts the outcome better.
PEAK_END_VERDICTS: dict[str, str] = {
    "peak_end": N_("peak-end predicts better"),
    "mean": N_("the plain mean predicts better"),
    "unclear": N_("neither predicts clearly better"),
}
#: An effect of at least this (NPS points, or percentage points) counts as moving the outcome.
INSIGHT_THRESHOLD = 15.0
#: Fewer customers than this in glory (or pain) or in so-so: that side of a moment is not
#: measured (both sides: not enough data).
#: 40, not the textbook 30: on planted truths, 30 let 3 of 360 moments without effect be
#: labelled at 200 customers, 40 none, with every planted driver still found at 400.
INSIGHT_MIN_GROUP = 40
#: A labelled effect is surely larger than this: half the threshold, so that an effect
#: too small to act on is not labelled on a lucky sample (docs/insights.md).
INSIGHT_MARGIN = INSIGHT_THRESHOLD / 2
#: The chance, over all the moments of a journey, of labelling one whose effect is not
#: larger than the margin (Holm's correction keeps it so, however many moments).
INSIGHT_FAMILY_ERROR = 0.05
#: The groups of customers by their outcome, as the answer rates by outcome name them.
OUTCOME_GROUP_NAMES: dict[str, str] = {
    "promoters": N_("promoters"),
    "passives": N_("passives"),
    "detractors": N_("detractors"),
    "positive": N_("positive"),
    "not_positive": N_("not positive"),
}
#: A gap in answer rates between outcome groups surely wider than this (percentage points)
#: says that whether customers answer depends on their mood.
MOOD_GAP = 10.0
