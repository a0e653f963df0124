"""Scoring: whether a response is glory, pain or neither, and each moment's figures.

A response's polarity comes from its survey's deciding question. Per moment,
figures are computed from *tallies*: sums that storage keeps per day, updated
in each response's own transaction, so reading scores never scans responses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from surveyapp.domain.journeys import Journey, Moment
from surveyapp.domain.statistics import wilson
from surveyapp.domain.surveys import Survey, survey_for
from surveyapp.domain.vocabulary import RANGES, THRESHOLDS, Polarity

#: The running sums kept per moment (and per day, locale and channel in storage).
TALLY_FIELDS = (
    "responses",
    "positive",
    "neutral",
    "negative",
    "nps_n",
    "nps_promoters",
    "nps_detractors",
    "csat_n",
    "csat_sum",
    "csat_satisfied",
    "ces_n",
    "ces_sum",
    # What customers were offered after answering, and what they did (domain/next_steps).
    "review_offered",
    "review_clicked",
    "contact_offered",
    "contact_left",
)


#: The figures every moment has (the JSON form and the API always give them).
ALWAYS_SHOWN = (
    "id",
    "kind",
    "name",
    "retired",
    "responses",
    "positive",
    "neutral",
    "negative",
    "net_score",
)
#: The response rate of a moment's personal invitations: made, sent, opened by a person
#: (an answer counts as opened), answered, reached (handed out without an email, or
#: emailed and sent), and the answered share of those reached with its 95% Wilson
#: interval, in percent (None before any reached its customer). Always given.
INVITATION_FIGURES = (
    "invited",
    "sent",
    "opened",
    "answered",
    "reached",
    "response_rate_pct",
    "response_rate_low_pct",
    "response_rate_high_pct",
)
#: The columns of a moment's figures, in the order CSV exports (CLI and admin) write them;
#: NPS, CSAT and CES only mean something where the moment asks them.
SCORE_COLUMNS = (
    *ALWAYS_SHOWN,
    "nps",
    "csat_mean",
    "csat_satisfied_pct",
    "ces_mean",
    *INVITATION_FIGURES,
)


def funnel_figures(counts: Mapping[str, int] | None) -> dict[str, Any]:
    """Invitations made, sent, opened, answered and reached, and the response rate
    (answered of reached: a link not yet sent cannot have been answered yet) with its 95%
    Wilson interval, in percent."""
    c = dict.fromkeys(("invited", "sent", "opened", "answered", "reached"), 0)
    c |= dict(counts or {})
    interval = wilson(c["answered"], c["reached"])
    return {
        **c,
        "response_rate_pct": _ratio(c["answered"], c["reached"]),
        "response_rate_low_pct": round(100 * interval[0], 1) if interval else None,
        "response_rate_high_pct": round(100 * interval[1], 1) if interval else None,
    }


def polarity_from_rating(question_type: str, value: int) -> Polarity:
    """NPS 9–10 / 7–8 / 0–6, CSAT 4–5 / 3 / 1–2, CES 5–7 / 4 / 1–3."""
    positive_from, neutral_from = THRESHOLDS[question_type]
    if value >= positive_from:
        return Polarity.POSITIVE
    if value >= neutral_from:
        return Polarity.NEUTRAL
    return Polarity.NEGATIVE


def polarity_of(survey: Survey, answers: Mapping[str, Any]) -> Polarity:
    """The polarity of one complete response, decided by the survey's deciding question."""
    question = survey.deciding
    value = answers[question.key]
    if question.type == "polarity":
        return Polarity(value)
    return polarity_from_rating(question.type, int(value))


def tally_increments(survey: Survey, answers: Mapping[str, Any], polarity: str) -> dict[str, int]:
    """What one response adds to its moment's tallies."""
    inc = dict.fromkeys(TALLY_FIELDS, 0)
    inc["responses"] = 1
    inc[polarity] = 1
    for question in survey.questions:
        value = answers.get(question.key)
        if value is None or question.type not in RANGES:  # the rated scales
            continue
        value = int(value)
        prefix = question.type
        inc[f"{prefix}_n"] += 1
        if prefix == "nps":
            inc["nps_promoters"] += value >= THRESHOLDS["nps"][0]
            inc["nps_detractors"] += value < THRESHOLDS["nps"][1]
        else:
            inc[f"{prefix}_sum"] += value
            if prefix == "csat":
                inc["csat_satisfied"] += value >= THRESHOLDS["csat"][0]
    return inc


def _ratio(part: float, whole: float, scale: float = 100.0, digits: int = 1) -> float | None:
    return round(scale * part / whole, digits) if whole else None


@dataclass(frozen=True)
class MomentScore:
    """The figures of one moment, as `surveyapp scores` and the scores page show them."""

    id: str
    kind: str
    name: str
    retired: bool
    responses: int
    positive: int
    neutral: int
    negative: int
    net_score: float | None
    nps: float | None = None
    csat_mean: float | None = None
    csat_satisfied_pct: float | None = None
    ces_mean: float | None = None
    asks: tuple[str, ...] = ()
    invitations: Mapping[str, Any] = field(default_factory=lambda: funnel_figures(None))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: NPS, CSAT and CES only where the moment asks them."""
        data: dict[str, Any] = {name: getattr(self, name) for name in ALWAYS_SHOWN}
        data.update(self.invitations)
        if "nps" in self.asks:
            data["nps"] = self.nps
        if "csat" in self.asks:
            data["csat_mean"] = self.csat_mean
            data["csat_satisfied_pct"] = self.csat_satisfied_pct
        if "ces" in self.asks:
            data["ces_mean"] = self.ces_mean
        return data


def moment_score(
    *,
    moment_id: str,
    kind: str,
    name: str,
    retired: bool,
    asks: tuple[str, ...],
    tally: Mapping[str, int] | None,
    invitations: Mapping[str, int] | None = None,
) -> MomentScore:
    """Turn a moment's summed tallies into its figures."""
    t = {f: 0 for f in TALLY_FIELDS} | dict(tally or {})
    n = t["responses"]
    return MomentScore(
        id=moment_id,
        kind=kind,
        name=name,
        retired=retired,
        responses=n,
        positive=t["positive"],
        neutral=t["neutral"],
        negative=t["negative"],
        net_score=_ratio(t["positive"] - t["negative"], n),
        nps=_ratio(t["nps_promoters"] - t["nps_detractors"], t["nps_n"]),
        csat_mean=_ratio(t["csat_sum"], t["csat_n"], scale=1, digits=2),
        csat_satisfied_pct=_ratio(t["csat_satisfied"], t["csat_n"]),
        ces_mean=_ratio(t["ces_sum"], t["ces_n"], scale=1, digits=2),
        asks=asks,
        invitations=funnel_figures(invitations),
    )


def journey_scores(
    journey: Journey,
    retired: list[Moment],
    tallies: Mapping[str, Mapping[str, int]],
    name_locale: str | None = None,
    funnel: Mapping[str, Mapping[str, int]] | None = None,
) -> list[MomentScore]:
    """Every moment's figures in journey order; retired moments, still counted, last;
    with ``funnel`` (storage.invitation_tallies.funnel), each moment's invitations and
    response rate."""
    locale = name_locale if name_locale in journey.locales else journey.default_locale
    scores = []
    for moment, is_retired in [(m, False) for m in journey.moments] + [(m, True) for m in retired]:
        survey = survey_for(journey, moment)
        scores.append(
            moment_score(
                moment_id=moment.id,
                kind=moment.kind,
                name=moment.display_name(locale, journey.default_locale),
                retired=is_retired,
                asks=tuple(q.type for q in survey.questions),
                tally=tallies.get(moment.id),
                invitations=(funnel or {}).get(moment.id),
            )
        )
    return scores
