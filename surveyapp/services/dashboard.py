"""The journey dashboard's figures: shares with intervals, moments of pain, weekly trends.

Built from the daily tallies, so it costs the same at a thousand responses or a
million. No Flask here; the admin views only render what this returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from surveyapp import storage
from surveyapp.domain import i18n
from surveyapp.domain.journeys import Journey
from surveyapp.domain.scoring import MomentScore
from surveyapp.domain.statistics import wilson
from surveyapp.services.headlines import Headlines, headlines
from surveyapp.services.recovery import MomentRecovery
from surveyapp.services.recovery import figures as recovery_figures
from surveyapp.services.scores import journey_scores
from surveyapp.storage import Database

#: Below this many responses a moment's shares are shown with a warning.
MIN_RESPONSES = 30


@dataclass(frozen=True)
class Share:
    """A part of a moment's responses, with its 95% Wilson interval."""

    count: int
    share: float | None
    low: float | None
    high: float | None

    @classmethod
    def of(cls, count: int, n: int) -> Share:
        interval = wilson(count, n)
        if interval is None:
            return cls(count, None, None, None)
        return cls(count, count / n, interval[0], interval[1])


@dataclass
class MomentRow:
    score: MomentScore
    positive: Share
    neutral: Share
    negative: Share
    open_followups: int
    enough: bool
    weeks: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Filters:
    since: date | None = None
    until: date | None = None
    locale: str | None = None
    channel: str | None = None

    def as_kwargs(self) -> dict[str, Any]:
        return {
            "since": self.since,
            "until": self.until,
            "locale": self.locale,
            "channel": self.channel,
        }

    def as_params(self) -> dict[str, str | None]:
        """As a job keeps them (JSON): dates as ISO text."""
        params = self.as_kwargs()
        for name in ("since", "until"):
            params[name] = params[name].isoformat() if params[name] else None
        return params

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Filters:
        """The filters a job kept with :meth:`as_params`."""
        dates = {
            name: date.fromisoformat(params[name]) if params.get(name) else None
            for name in ("since", "until")
        }
        return cls(**dates, locale=params.get("locale"), channel=params.get("channel"))


@dataclass(frozen=True)
class NextSteps:
    """After the answer, over the journey and the filters: how many were invited to
    review and clicked, how many were offered contact and left one."""

    review_offered: int
    review_clicked: Share
    contact_offered: int
    contact_left: Share

    @classmethod
    def of(cls, tallies: dict[str, dict[str, int]]) -> NextSteps:
        total = {f: sum(t.get(f, 0) for t in tallies.values()) for f in NEXT_STEP_FIELDS}
        return cls(
            total["review_offered"],
            Share.of(total["review_clicked"], total["review_offered"]),
            total["contact_offered"],
            Share.of(total["contact_left"], total["contact_offered"]),
        )


NEXT_STEP_FIELDS = ("review_offered", "review_clicked", "contact_offered", "contact_left")


@dataclass
class Dashboard:
    journey: Journey
    rows: list[MomentRow]
    pain: list[MomentRow]
    filters: Filters
    next_steps: NextSteps | None = None
    #: The journey's invitations over its moments, with the response rate.
    invitations: dict[str, Any] = field(default_factory=dict)
    headlines: Headlines | None = None
    #: The recovery loop per moment: pains turned into glory, time to resolution.
    recovery: list[MomentRecovery] = field(default_factory=list)


def _weeks(rows: list[dict[str, Any]], filters: Filters, today: date, locale: str):
    """Each week's tallies with its start, its labels in ``locale``, its net score, and
    whether it is partial: a week only partly inside the period counted (the week under
    way, or one cut by the filters) has fewer days, so it is marked, not drawn as a trend."""
    last = min(today, filters.until) if filters.until else today
    weeks = []
    for row in rows:
        start = date.fromisoformat(row["week"])
        partial = start + timedelta(days=6) > last or bool(filters.since and start < filters.since)
        weeks.append(
            {
                **row,
                "start": start,
                "label": i18n.date_text(start, locale),
                "short": i18n.date_text(start, locale, short=True),
                "net": 100 * (row["positive"] - row["negative"]) / row["responses"],
                "partial": partial,
            }
        )
    return weeks


def build(
    db: Database, journey: Journey, filters: Filters, name_locale: str, today: date | None = None
) -> Dashboard:
    """Everything the journey dashboard shows, in journey order (names and dates in
    ``name_locale``, the reader's)."""
    today = today or storage.utcnow().date()
    figures = journey_scores(db, journey, **filters.as_kwargs(), name_locale=name_locale)
    scores, tallies = figures.moments, figures.tallies
    weeks = storage.tallies.weekly_tallies(db, journey.id, **filters.as_kwargs())
    open_counts = storage.followups.open_followups(db, journey.id)
    rows = [
        MomentRow(
            score=s,
            positive=Share.of(s.positive, s.responses),
            neutral=Share.of(s.neutral, s.responses),
            negative=Share.of(s.negative, s.responses),
            open_followups=open_counts.get(s.id, 0),
            enough=s.responses >= MIN_RESPONSES,
            weeks=_weeks(weeks.get(s.id, []), filters, today, name_locale),
        )
        for s in scores
    ]
    pain = sorted(
        (r for r in rows if r.enough and not r.score.retired),
        key=lambda r: (-(r.negative.share or 0), r.score.id),
    )
    next_steps = NextSteps.of(tallies)
    shown = journey.after_answer or next_steps.review_offered or next_steps.contact_offered
    return Dashboard(
        journey,
        rows,
        pain,
        filters,
        next_steps if shown else None,
        invitations=figures.invitations,
        headlines=headlines(
            db,
            journey,
            **filters.as_kwargs(),
            today=today,
            asks_nps=any("nps" in s.asks for s in scores if not s.retired),
            open_pains=sum(open_counts.values()),
        ),
        recovery=recovery_figures(db, journey, filters.since, filters.until),
    )
