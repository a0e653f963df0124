"""Pain-share alerts: a moment whose share of pain over the last seven days is above the
threshold an endpoint set, reported to it once (then not again for seven days).

A share is claimed above the threshold only when the data support it: the lower end of
its 95% Wilson interval is above the threshold, so 2 pains out of 3 answers do not
alert a team that set 30% (the interval runs from 21% to 94%), and 20 out of 40 do
(35% to 65%). The event carries the share with its interval and the answers it rests
on, so the message says how sure it is. No Flask: the webhook worker runs it each round.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from surveyapp import storage
from surveyapp.domain.statistics import wilson
from surveyapp.domain.vocabulary import PAIN_SHARE_DAYS
from surveyapp.storage import Database

QUIET = timedelta(days=PAIN_SHARE_DAYS)


def above(negative: int, answers: int, threshold: int) -> tuple[float, float] | None:
    """The 95% interval of a pain share when surely above ``threshold`` percent, else None."""
    interval = wilson(negative, answers)
    if interval is None or interval[0] * 100 <= threshold:
        return None
    return interval


def queue_due(db: Database, now: datetime | None = None) -> int:
    """Queue a ``moment.pain_share_exceeded`` event for every moment now above an
    endpoint's threshold and not reported to it in the last seven days; how many."""
    now = now or storage.utcnow()
    endpoints = storage.webhooks.pain_threshold_endpoints(db)
    since = (now - QUIET).date() + timedelta(days=1)  # seven days, today included
    queued = 0
    tallies: dict[str, dict] = {}
    for endpoint in endpoints:
        journey_id = endpoint["journey_id"]
        if journey_id not in tallies:
            journey = storage.journeys.get_journey(db, journey_id)
            live = {m.id for m in journey.moments} if journey else set()
            found = storage.tallies.moment_tallies(db, journey_id, since=since)
            tallies[journey_id] = {m: t for m, t in found.items() if m in live}
        for moment_id, tally in tallies[journey_id].items():
            interval = above(tally["negative"], tally["responses"], endpoint["pain_threshold"])
            if interval is None:
                continue
            data = {
                "journey": journey_id,
                "moment": moment_id,
                "since": since.isoformat(),
                "until": now.date().isoformat(),
                "answers": tally["responses"],
                "negative": tally["negative"],
                "share": round(tally["negative"] / tally["responses"], 4),
                "low": round(interval[0], 4),
                "high": round(interval[1], 4),
                "threshold": endpoint["pain_threshold"],
            }
            queued += storage.webhooks.queue_pain_alert(
                db, endpoint["id"], moment_id, data, now=now, quiet=QUIET
            )
    return queued
