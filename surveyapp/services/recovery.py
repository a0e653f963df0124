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
from surveyapp.services import outreach
from surveyapp.services.accounts import token_hash
from surveyapp.services.mailer import SmtpSettings

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


def send(
    db: storage.Database,
    settings: SmtpSettings,
    journey: Journey,
    item: dict[str, Any],
    *,
    to: str,
    base_url: str,
    by: str | None,
    reply_to: str | None = None,
) -> None:
    """Send the recovery survey of a resolved follow-up ``item`` to ``to``, in the
    customer's language. Kept before sending (the link works when the email arrives) and
    forgotten again if the email could not be sent; raises what SMTP raises then."""
    token = secrets.token_urlsafe(16)
    expires = storage.utcnow() + timedelta(days=RECOVERY_DAYS)
    if not storage.recoveries.start_recovery(
        db, item, token_hash=token_hash(token), email=to, by=by, expires_at=storage.iso(expires)
    ):
        raise AlreadySent(item["response_id"])
    locale = item["locale"]
    link = f"{base_url}/r/{token}"
    body = i18n.translate(
        locale,
        BODY,
        moment=item["customer_moment_name"],
        link=link,
        until=i18n.date_text(expires.date(), locale),
        brand=journey.brand,
    )
    subject = i18n.translate(locale, SUBJECT, brand=journey.brand)
    try:
        outreach.send(settings, to=to, subject=subject, body=body, locale=locale, reply_to=reply_to)
    except Exception:
        storage.recoveries.forget_recovery(db, item["response_id"])
        raise


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
