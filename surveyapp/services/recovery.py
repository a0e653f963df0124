"""The recovery loop: after a moment of pain was resolved, one question ("Did we make it
right?") to its customer in their language, by a personal single-use link; and, per
moment, the share of pains turned into glory (with its interval) and how long resolution
took (median and 90th percentile)."""

from __future__ import annotations

import secrets
import statistics
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from surveyapp import storage
from surveyapp.domain import i18n
from surveyapp.domain.errors import Conflict
from surveyapp.domain.i18n import N_
from surveyapp.domain.journeys import Journey
from surveyapp.domain.statistics import wilson
from surveyapp.domain.vocabulary import RECOVERY_DAYS
from surveyapp.services.accounts import token_hash

SUBJECT = N_("%(brand)s: did we make it right?")
BODY = N_(
    "Hello,\n\n"
    "You told us that “%(moment)s” did not go well, and we have tried to put it right. "
    "Did we make it right? One question, one click:\n\n"
    "%(link)s\n\n"
    "This link is yours alone and works once, until %(until)s.\n\n"
    "Thank you,\n"
    "%(brand)s"
)


class AlreadySent(Conflict):
    """This follow-up's recovery survey was already sent; nothing was sent again."""

    code = "already_sent"

    def __init__(self, response_id: int):
        super().__init__(f"The recovery survey of follow-up {response_id} was already sent.")


@dataclass(frozen=True)
class RecoveryEmail:
    """A recovery survey's email in its customer's language: its subject, its plain
    text, and what its HTML shows (the moment's name, the link, the last day)."""

    subject: str
    text: str
    moment: str
    link: str
    until: str


def start(
    db: storage.Database,
    journey: Journey,
    item: dict[str, Any],
    *,
    to: str,
    by: str | None,
    base_url: str,
) -> RecoveryEmail:
    """Keep that the recovery survey of a resolved follow-up ``item`` goes to ``to`` now,
    with a new single-use link (only its hash is kept), and write its email in the
    customer's language. Kept before sending, so the link works when the email arrives;
    :func:`storage.recoveries.forget_recovery` undoes it if sending fails. A start whose
    email was never known to be sent (its worker stopped) is replaced, unless it was
    answered (AlreadySent)."""
    token = secrets.token_urlsafe(16)
    expires = storage.utcnow() + timedelta(days=RECOVERY_DAYS)
    kept = {
        "token_hash": token_hash(token),
        "email": to,
        "by": by,
        "expires_at": storage.iso(expires),
    }
    if not storage.recoveries.start_recovery(db, item, **kept):
        earlier = storage.recoveries.recovery_of(db, item["response_id"])
        if earlier and earlier["answered_at"]:  # it was sent, and answered: keep it
            raise AlreadySent(item["response_id"])
        storage.recoveries.forget_recovery(db, item["response_id"])
        storage.recoveries.start_recovery(db, item, **kept)
    locale = item["locale"]
    words = {
        "moment": item["customer_moment_name"],
        "link": f"{base_url}/r/{token}",
        "until": i18n.date_text(expires.date(), locale),
    }
    return RecoveryEmail(
        subject=i18n.translate(locale, SUBJECT, brand=journey.brand),
        text=i18n.translate(locale, BODY, brand=journey.brand, **words),
        **words,
    )


@dataclass(frozen=True)
class MomentRecovery:
    """One moment's recovery loop: surveys sent and answered, the share answered "yes"
    (pain turned into glory) with its 95% Wilson interval, and hours to resolution."""

    moment_id: str
    sent: int
    answered: int
    glory: int
    rate: float | None
    low: float | None
    high: float | None
    resolved: int
    median_hours: float | None
    p90_hours: float | None


def _p90(values: list[float]) -> float | None:
    if len(values) < 2:
        return values[0] if values else None
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def figures(
    db: storage.Database, journey: Journey, since: date | None = None, until: date | None = None
) -> list[MomentRecovery]:
    """The recovery loop's figures per moment of the journey (in journey order; moments
    with nothing resolved and no survey sent are left out). Resolution times count the
    answers received between ``since`` and ``until``."""
    counts = storage.recoveries.recovery_counts(db, journey.id)
    hours = storage.recoveries.resolution_hours(db, journey.id, since, until)
    rows = []
    for moment in journey.moments:
        count = counts.get(moment.id, {"sent": 0, "answered": 0, "glory": 0})
        took = sorted(hours.get(moment.id, []))
        if not count["sent"] and not took:
            continue
        interval = wilson(count["glory"], count["answered"])
        rows.append(
            MomentRecovery(
                moment_id=moment.id,
                sent=count["sent"],
                answered=count["answered"],
                glory=count["glory"],
                rate=count["glory"] / count["answered"] if count["answered"] else None,
                low=interval[0] if interval else None,
                high=interval[1] if interval else None,
                resolved=len(took),
                median_hours=statistics.median(took) if took else None,
                p90_hours=_p90(took),
            )
        )
    return rows
