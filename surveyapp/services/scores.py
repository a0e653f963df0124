"""A journey's figures per moment, as the CLI, the API, the exports and the dashboard
give them: the answers' tallies and the personal invitations' response rate, over the
same period and language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from surveyapp import storage
from surveyapp.domain import scoring
from surveyapp.domain.journeys import Journey
from surveyapp.domain.scoring import MomentScore
from surveyapp.storage import Database


@dataclass(frozen=True)
class JourneyScores:
    """Each moment's figures, and the journey's invitations over all its moments."""

    moments: list[MomentScore]
    invitations: dict[str, Any]
    #: Each moment's summed tallies the figures come from.
    tallies: dict[str, dict[str, int]]

    def to_dict(self, journey_id: str) -> dict[str, Any]:
        return {
            "journey": journey_id,
            "moments": [s.to_dict() for s in self.moments],
            "invitations": self.invitations,
        }


def journey_scores(
    db: Database,
    journey: Journey,
    *,
    since: date | None = None,
    until: date | None = None,
    locale: str | None = None,
    channel: str | None = None,
    name_locale: str | None = None,
) -> JourneyScores:
    """The figures of every moment (retired ones last) in the period and language; the
    channel filters answers only (invitations have none of their own)."""
    tallies = storage.tallies.moment_tallies(
        db, journey.id, since=since, until=until, locale=locale, channel=channel
    )
    funnel = storage.invitation_tallies.funnel(
        db, journey.id, since=since, until=until, locale=locale
    )
    moments = scoring.journey_scores(
        journey,
        storage.journeys.retired_moments(db, journey.id),
        tallies,
        name_locale=name_locale,
        funnel=funnel,
    )
    return JourneyScores(moments, scoring.funnel_figures(add_up(funnel)), tallies)


def add_up(per_moment: dict[str, dict[str, int]]) -> dict[str, int]:
    """Counts per moment (tallies, invitations) added up over the journey."""
    totals: dict[str, int] = {}
    for counts in per_moment.values():
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + (value or 0)
    return totals
