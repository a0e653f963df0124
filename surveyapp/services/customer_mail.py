"""Emails to the customer of a follow-up, sent by the sending worker, never in the
manager's request: the manager's own message, and the recovery survey (written when it
is sent, with a new single-use link).

The page that asks only queues (storage/customer_emails.py). The worker sends what is
due over one SMTP connection; sent, an email goes into the item's history (a contact
marks an open item contacted); failed, it is tried again after mailer.RETRY_AFTER and
set aside with its reason after the last attempt, until a manager presses *Try again*
on the item's page. One email that fails never holds up the others.
"""

from __future__ import annotations

import smtplib
from dataclasses import asdict, dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from surveyapp import storage
from surveyapp.domain.journeys import Journey
from surveyapp.domain.vocabulary import CUSTOMER_EMAIL_CONTACT, CUSTOMER_EMAIL_RECOVERY
from surveyapp.services import inbox, mailer, outreach, recovery
from surveyapp.services.email_render import brand_context, render_message
from surveyapp.services.mailer import SendReport, SmtpSettings
from surveyapp.storage import Database

#: Attempts of one email before it is set aside: the first, and one after each wait.
ATTEMPTS = len(mailer.RETRY_AFTER) + 1
#: Emails sent in one round at most: then the round ends and the worker beats.
A_ROUND = 50


def queue_contact(
    db: Database, item: dict[str, Any], *, to: str, subject: str, body: str, by: str | None
) -> None:
    """Queue the manager's email to the customer of follow-up ``item``."""
    storage.customer_emails.queue(
        db,
        response_id=item["response_id"],
        kind=CUSTOMER_EMAIL_CONTACT,
        to=to,
        subject=subject,
        body=body,
        locale=item["locale"],
        by=by,
        now=storage.utcnow(),
    )


def queue_recovery(db: Database, item: dict[str, Any], *, to: str, by: str | None) -> None:
    """Queue the recovery survey of a resolved follow-up ``item``; raises
    recovery.AlreadySent if it was queued or sent before."""
    queued = storage.customer_emails.queue_recovery(
        db,
        response_id=item["response_id"],
        to=to,
        locale=item["locale"],
        by=by,
        now=storage.utcnow(),
    )
    if queued is None:
        raise recovery.AlreadySent(item["response_id"])


def retry(db: Database, response_id: int, email_id: int) -> bool:
    """Try a set-aside email again at the worker's next round; whether it was set aside."""
    return storage.customer_emails.retry_now(db, response_id, email_id, storage.utcnow())


@dataclass(frozen=True)
class Waiting:
    """An email of a follow-up not sent yet, as its page says it."""

    id: int
    kind: str
    to: str
    subject: str | None
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None  # None: set aside

    @property
    def set_aside(self) -> bool:
        return self.next_attempt_at is None


def waiting(db: Database, response_id: int) -> list[Waiting]:
    """The emails of follow-up ``response_id`` not sent yet, oldest first."""
    return [
        Waiting(
            id=e["id"],
            kind=e["kind"],
            to=e["to_address"],
            subject=e["subject"],
            # An attempt counts once made; a leased one is being made now.
            attempts=e["attempts"] if e["last_error"] else 0,
            last_error=e["last_error"],
            next_attempt_at=storage.parse_iso(e["next_attempt_at"])
            if e["next_attempt_at"]
            else None,
        )
        for e in storage.customer_emails.of_followup(db, response_id)
    ]


def send_due(
    db: Database, settings: SmtpSettings, *, base_url: str, reply_to: str | None
) -> SendReport:
    """Send the due emails to customers (at most A_ROUND) over one connection; each
    failure recorded on its email, which is tried again or set aside."""
    report = SendReport(errors=[])
    taken = storage.customer_emails.take(db, storage.utcnow(), limit=A_ROUND, attempts=ATTEMPTS)
    connection = mailer.Connection(settings)
    try:
        for email in taken:
            try:
                _send(db, connection, email, base_url=base_url, reply_to=reply_to)
            except recovery.AlreadySent:  # sent and answered before its worker stopped
                storage.customer_emails.finish(db, email["id"])
                continue
            except Exception as exc:  # one email that fails never stops the others
                reason = mailer.describe_error(exc)
                _failed(db, email, reason.stored(), storage.utcnow())
                report.failed += 1
                report.errors.append((email["to_address"], reason.text("en")))
                if isinstance(exc, OSError | smtplib.SMTPServerDisconnected):
                    connection.close()  # the next email tries a fresh connection
                continue
            report.sent += 1
    finally:
        connection.close()
    return report


def compose_recovery(
    journey: Journey,
    written: recovery.RecoveryEmail,
    *,
    locale: str,
    base_url: str,
    sender: str,
    to: str,
    reply_to: str | None = None,
) -> EmailMessage:
    """The recovery survey's email: its plain text, and HTML under the journey's brand."""
    return render_message(
        "recovery",
        {**brand_context(journey, base_url), **asdict(written)},
        locale=locale,
        subject=written.subject,
        sender=sender,
        to=to,
        reply_to=reply_to,
    )


def _send(
    db: Database,
    connection: mailer.Connection,
    email: dict[str, Any],
    *,
    base_url: str,
    reply_to: str | None,
) -> None:
    to, by, response_id = email["to_address"], email["asked_by"], email["response_id"]
    subject, body = email["subject"], email["body"]
    sender = connection.settings.sender
    if email["kind"] == CUSTOMER_EMAIL_RECOVERY:
        # Under the journey's brand, as its invitations are.
        journey = storage.journeys.get_journey(db, email["journey_id"])
        item = inbox.item(db, journey, response_id, journey.default_locale)
        written = recovery.start(db, journey, item, to=to, by=by, base_url=base_url)
        message = compose_recovery(
            journey,
            written,
            locale=item["locale"],
            base_url=base_url,
            sender=sender,
            to=to,
            reply_to=reply_to,
        )
    else:  # the manager's own words: a personal, plain-text email
        message = outreach.message(
            sender, to=to, subject=subject, body=body, locale=email["locale"], reply_to=reply_to
        )
    try:
        connection.send(message)
    except BaseException:
        if email["kind"] == CUSTOMER_EMAIL_RECOVERY:  # its link was never sent: it goes
            storage.recoveries.forget_recovery(db, response_id)
        raise
    with storage.transaction(db):
        storage.customer_emails.finish(db, email["id"])
        if email["kind"] == CUSTOMER_EMAIL_CONTACT:
            detail = {"to": to, "subject": subject, "body": body}
            storage.followups.log_contact(db, response_id, by=by, detail=detail)


def _failed(db: Database, email: dict[str, Any], reason: str, now: datetime) -> None:
    attempt = email["attempts"]  # this one's number, from 1
    again = now + mailer.RETRY_AFTER[attempt - 1] if attempt < ATTEMPTS else None
    storage.customer_emails.failed(db, email["id"], error=reason, now=now, again=again)
