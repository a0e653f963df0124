"""The headline tiles of a journey's dashboard: its NPS (or net score), its response rate
and its share of pain, each in the period shown against the period of the same length
just before, with intervals; a change is called better or worse only when its interval
leaves no doubt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from surveyapp import storage
from surveyapp.domain.journeys import Journey
from surveyapp.domain.statistics import Difference, Figure, change, net_figure, share_figure
from surveyapp.services.scores import add_up
from surveyapp.storage import Database

#: Without dates in the filters, the tiles compare the last 30 days with the 30 before.
DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Tile:
    """One headline: its code (``nps``, ``net_score``, ``response_rate``, ``pain``), the
    figure now and before, the change between them, and which way is better."""

    code: str
    current: Figure | None
    previous: Figure | None
    change: Difference | None
    better: str  # "up" or "down"

    @property
    def verdict(self) -> str | None:
        """``better``, ``worse``, or ``unclear`` when the interval of the change holds 0;
        None when a period has no data."""
        if self.change is None:
            return None
        if self.change.low > 0 or self.change.high < 0:
            up = self.change.low > 0
            return "better" if up == (self.better == "up") else "worse"
        return "unclear"


@dataclass(frozen=True)
class Headlines:
    tiles: list[Tile]
    start: date
    end: date
    previous_start: date
    previous_end: date
    open_pains: int


def periods(since: date | None, until: date | None, today: date) -> tuple[date, date, date, date]:
    """The period shown (the filters', or the last 30 days) and the one just before it."""
    end = until or today
    start = since or end - timedelta(days=DEFAULT_DAYS - 1)
    length = (end - start).days + 1
    previous_end = start - timedelta(days=1)
    return start, end, previous_end - timedelta(days=length - 1), previous_end


def headlines(
    db: Database,
    journey: Journey,
    *,
    since: date | None,
    until: date | None,
    locale: str | None,
    channel: str | None,
    today: date,
    asks_nps: bool,
    open_pains: int,
) -> Headlines:
    """The three tiles over the filters' period (or the last 30 days) and the one before;
    the NPS tile where a moment asks it (else the net score), and the moments of pain
    still open (the dashboard has both already)."""
    start, end, previous_start, previous_end = periods(since, until, today)
    figures: dict[str, list] = {"nps": [], "net_score": [], "response_rate": [], "pain": []}
    answers = storage.tallies.two_periods(
        db,
        journey.id,
        current=(start, end),
        previous=(previous_start, previous_end),
        locale=locale,
        channel=channel,
    )
    for t, (first, last) in zip(
        answers, ((start, end), (previous_start, previous_end)), strict=True
    ):
        f = add_up(
            storage.invitation_tallies.funnel(
                db, journey.id, since=first, until=last, locale=locale
            )
        )
        n = t.get("responses", 0)
        figures["nps"].append(
            net_figure(t.get("nps_promoters", 0), t.get("nps_detractors", 0), t.get("nps_n", 0))
        )
        figures["net_score"].append(net_figure(t.get("positive", 0), t.get("negative", 0), n))
        figures["response_rate"].append(share_figure(f.get("answered", 0), f.get("reached", 0)))
        figures["pain"].append(share_figure(t.get("negative", 0), n))
    better = {"nps": "up", "net_score": "up", "response_rate": "up", "pain": "down"}
    codes = ["nps" if asks_nps else "net_score", "response_rate", "pain"]
    tiles = [Tile(c, *figures[c], change(*figures[c]), better[c]) for c in codes]
    return Headlines(tiles, start, end, previous_start, previous_end, open_pains)
