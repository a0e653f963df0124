"""The email digest of new negative responses: what a CX manager reads to follow up on
moments of pain without watching the dashboard.

Each digest reports the negative responses stored since the previous one (the first, those
of the last week), grouped by journey and moment, each with its customer reference and
answers, and links to the follow-up lists. Nothing new: nothing is sent. The mark moves only
after the SMTP server accepted the message, so a failed digest is sent again next time.
No Flask: ``surveyapp digest`` sends one, and ``surveyapp serve`` runs it on a schedule.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from surveyapp import storage
from surveyapp.domain import i18n
from surveyapp.domain.surveys import survey_for
from surveyapp.domain.text import is_valid_email
from surveyapp.domain.vocabulary import DIGEST_HOURS, LOCALES
from surveyapp.services import email_render, mailer

log = logging.getLogger(__name__)

#: The digest's name in ``digest_marks``.
NAME = "negative"
#: Responses listed in one message; the rest are counted and left to the follow-up lists.
LIMIT = 50
#: How far back the first digest looks.
FIRST_DIGEST_DAYS = 7


@dataclass
class MomentOfPain:
    """One moment's new negative responses, as the digest shows them."""

    brand: str
    name: str
    followups_url: str
    responses: list[dict[str, Any]] = field(default_factory=list)
    #: Terms of pain claimed this week that were not in the four weeks before:
    #: ``{"term", "comments"}`` (docs/comments.md).
    new_terms: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Digest:
    moments: list[MomentOfPain]
    total: int  # all new negative responses, listed or not
    listed: int
    last_id: int  # the mark to keep once sent


class DigestConfigError(mailer.MailConfigError):
    """DIGEST_TO or DIGEST_LOCALE is missing or wrong; the message says which."""


def recipients(config: Mapping[str, Any]) -> list[str]:
    """The DIGEST_TO addresses (a list, or one string with commas)."""
    value = config.get("DIGEST_TO") or []
    if isinstance(value, str):
        value = value.split(",")
    return [address.strip() for address in value if address.strip()]


def settings(config: Mapping[str, Any]) -> tuple[list[str], str]:
    """Where the digest goes and its language; DigestConfigError says what to set."""
    to = recipients(config)
    if not to:
        raise DigestConfigError(
            "DIGEST_TO is not set: give the address(es) that receive the digest, e.g. "
            "SURVEYAPP_DIGEST_TO='cx-team@example.com'"
        )
    if wrong := [address for address in to if not is_valid_email(address)]:
        raise DigestConfigError(
            f"DIGEST_TO holds {wrong[0]!r}, which is not one email address: separate "
            "addresses with commas, e.g. SURVEYAPP_DIGEST_TO='cx@example.com,ops@example.com'"
        )
    locale = config.get("DIGEST_LOCALE") or "en"
    if locale not in LOCALES:
        raise DigestConfigError(f"DIGEST_LOCALE is '{locale}': use one of {', '.join(LOCALES)}")
    return to, locale


def collect(
    db,
    *,
    locale: str,
    base_url: str,
    limit: int = LIMIT,
    journey_id: str | None = None,
    name: str = NAME,
) -> Digest | None:
    """The new negative responses since the last digest ``name`` (of one journey, or of
    all), or None if there are none."""
    after = storage.digests.digest_mark(db, name)
    since = None
    if after is None:
        since = storage.iso(storage.utcnow() - timedelta(days=FIRST_DIGEST_DAYS))
    rows, total, last_id = storage.digests.negative_responses_after(
        db, after or 0, since=since, limit=limit, journey_id=journey_id
    )
    if not total:
        return None
    journeys: dict[str, Any] = {}
    moments: dict[tuple[str, str], MomentOfPain] = {}
    for row in rows:
        if row["journey_id"] not in journeys:
            journeys[row["journey_id"]] = storage.journeys.get_journey(db, row["journey_id"])
        journey = journeys[row["journey_id"]]
        found = journey.moment(row["moment_id"]) if journey else None
        survey = survey_for(journey, found) if found else None
        key = (row["journey_id"], row["moment_id"])
        if key not in moments:
            moments[key] = MomentOfPain(
                brand=journey.brand if journey else row["journey_id"],
                name=survey.moment_name(locale) if survey else row["moment_id"],
                followups_url=f"{base_url}/admin/j/{row['journey_id']}/followups?status=unresolved",
            )
        moments[key].responses.append(
            {
                "when": i18n.datetime_text(storage.parse_iso(row["created_at"]), locale),
                "customer": row["customer_ref"],
                "answers": survey.readable_answers(row["answers"], locale)
                if survey
                else [(k, str(v)) for k, v in row["answers"].items()],
            }
        )
    for (journey_id, moment_id), moment in moments.items():
        journey = journeys[journey_id]
        if journey is not None and journey.moment(moment_id) is not None:
            moment.new_terms = new_pain_terms(db, journey, moment_id)
    return Digest(list(moments.values()), total=total, listed=len(rows), last_id=last_id)


def new_pain_terms(db, journey, moment_id: str, today=None) -> list[dict[str, Any]]:
    """The terms of pain of a moment's comments of the last 7 days (against its glory
    comments of those days) that were no term of pain over the 28 days before: what is
    new this week, ``{"term", "comments"}``, strongest first."""
    from surveyapp.services import comment_terms  # stemmers: where a digest is composed

    today = today or storage.utcnow().date()
    week = comment_terms.for_moment(
        db, journey, moment_id, since=today - timedelta(days=6), until=today
    )
    before = comment_terms.for_moment(
        db,
        journey,
        moment_id,
        since=today - timedelta(days=34),
        until=today - timedelta(days=7),
    )
    known = {(a.locale, t.key) for a in before for t in a.pain}
    return [
        {"term": t.text, "comments": t.pain}
        for a in week
        for t in a.pain
        if (a.locale, t.key) not in known
    ]


def compose(digest: Digest, *, locale: str, sender: str, to: list[str]) -> EmailMessage:
    """The digest email, plain text and HTML, in ``locale``."""
    subject = i18n.translate_plural(
        locale, "%(num)d new negative response", "%(num)d new negative responses", digest.total
    )
    context = {
        "digest": digest,
        "subject": subject,
        "more": digest.total - digest.listed,
        "locale": locale,
    }
    return email_render.render_message(
        "digest", context, locale=locale, subject=subject, sender=sender, to=", ".join(to)
    )


def send(db, config: Mapping[str, Any]) -> int:
    """Send the digest if anything is new; how many responses it reported (0: none sent).
    Raises DigestConfigError or MailConfigError for missing settings, and the SMTP
    error if the message could not be sent (then nothing is marked).
    """
    to, locale = settings(config)
    return _send(db, config, to=to, locale=locale, name=NAME, journey_id=None)


def _send(db, config, *, to: list[str], locale: str, name: str, journey_id: str | None) -> int:
    smtp = mailer.SmtpSettings.from_config(config)
    # However many nodes run `serve`, one sends at a time, and the next reads the mark
    # the previous one moved: each negative response is in exactly one digest.
    with storage.exclusive(db, f"digest-{name}") as ours:
        if not ours:
            return 0
        digest = collect(
            db, locale=locale, base_url=config["BASE_URL"], journey_id=journey_id, name=name
        )
        if digest is None:
            return 0
        connection = mailer.Connection(smtp)
        try:
            connection.send(compose(digest, locale=locale, sender=smtp.sender, to=to))
        finally:
            connection.close()
        storage.digests.set_digest_mark(db, name, digest.last_id)
    return digest.total


def due(db, name: str, hours: float, now: datetime | None = None) -> bool:
    """Whether the digest ``name`` is due: never sent, or last sent ``hours`` ago."""
    sent = storage.digests.digest_sent_at(db, name)
    now = now or storage.utcnow()
    return sent is None or now - storage.parse_iso(sent) >= timedelta(hours=hours)


def send_journeys(db, config: Mapping[str, Any], now: datetime | None = None) -> int:
    """Send each journey's own digest that is due (set by its managers in the browser:
    to whom, in which language, how often); how many responses they reported.

    One journey's digest that cannot be sent (a recipient the mail server refuses, an
    error of ours) never holds up the others: its failure is recorded with its reason,
    and it is tried again after each wait of mailer.RETRY_AFTER, then set aside until a
    manager tries it again from the journey's inbox (:func:`retry`). A database that
    went away ends the round, as everywhere."""
    reported = 0
    now = now or storage.utcnow()
    for journey_id, wanted in storage.inbox.journey_digests(db).items():
        name = f"journey:{journey_id}"
        if not (wanted["to"] and due(db, name, DIGEST_HOURS[wanted["every"]], now)):
            continue
        failed = storage.digests.failure(db, name)
        if failed and not (
            failed["next_attempt_at"] and failed["next_attempt_at"] <= storage.iso(now)
        ):
            continue  # waiting to be tried again, or set aside
        try:
            reported += _send(
                db,
                config,
                to=wanted["to"],
                locale=wanted["locale"],
                name=name,
                journey_id=journey_id,
            )
        except storage.DATABASE_DOWN:
            raise
        except Exception as exc:
            reason = mailer.describe_error(exc)
            failures = storage.digests.record_failure(
                db, name, error=reason.stored(), now=now, retry_at=_retry_at(now)
            )
            log.warning(
                "the digest of journey %s was not sent (failure %d): %s",
                journey_id,
                failures,
                reason.text("en"),
                exc_info=not isinstance(exc, (OSError, smtplib.SMTPException)),
            )
        else:
            if failed:
                storage.digests.forget_failures(db, name)
    return reported


def _retry_at(now: datetime):
    """When a digest that failed for the n-th time is tried again; None after the last."""
    return lambda n: now + mailer.RETRY_AFTER[n - 1] if n <= len(mailer.RETRY_AFTER) else None


def failure(db, journey_id: str) -> dict[str, Any] | None:
    """A journey's digest that could not be sent lately: how often, why, when it is tried
    again (None: set aside)."""
    return storage.digests.failure(db, f"journey:{journey_id}")


def retry(db, journey_id: str) -> bool:
    """Try a journey's set-aside digest again at the worker's next round."""
    return storage.digests.retry_now(db, f"journey:{journey_id}", storage.utcnow())
