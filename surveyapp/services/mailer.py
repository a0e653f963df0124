"""Invitation emails: composed in the customer's language, sent over SMTP.

A batch goes over one connection. A message that fails is recorded on its
invitation and the batch goes on; ``surveyapp send --retry`` tries again.
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
import ssl
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from babel.dates import format_date

from surveyapp import storage
from surveyapp.domain import i18n
from surveyapp.domain.errors import Unavailable
from surveyapp.domain.i18n import N_, Message
from surveyapp.domain.journeys import Journey
from surveyapp.domain.surveys import Survey, survey_for
from surveyapp.services.email_render import brand_context, render_message

SUBJECT = N_("%(brand)s asks: how was “%(moment)s”?")
REMINDER_SUBJECT = N_("Reminder: %(brand)s would like your opinion on “%(moment)s”")


class MailConfigError(Unavailable, ValueError):
    """The SMTP settings are missing or wrong; the message says which."""

    code = "mail_not_configured"


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str | None
    password: str | None
    security: str  # none, starttls, tls
    sender: str
    timeout: float = 30.0  # each operation (connecting, each reply)
    deadline: float = 60.0  # a connection's opening, or one message, in all

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmtpSettings:
        """Read SMTP_* and MAIL_FROM; raise MailConfigError saying what to set."""
        sender = config.get("MAIL_FROM")
        if not sender:
            raise MailConfigError(
                "MAIL_FROM is not set: give the sender address, e.g. "
                "SURVEYAPP_MAIL_FROM='Café des Arts <surveys@example.com>'"
            )
        security = str(config.get("SMTP_SECURITY") or "none").lower()
        if security not in ("none", "starttls", "tls"):
            raise MailConfigError(f"SMTP_SECURITY is '{security}': use none, starttls or tls")
        return cls(
            host=str(config.get("SMTP_HOST") or "localhost"),
            port=int(config.get("SMTP_PORT") or (465 if security == "tls" else 25)),
            user=config.get("SMTP_USER") or None,
            password=config.get("SMTP_PASSWORD") or None,
            security=security,
            sender=str(sender),
            timeout=float(config.get("SMTP_TIMEOUT") or 30),
            deadline=float(config.get("SMTP_DEADLINE") or 60),
        )


def one_click_choices(survey: Survey, locale: str) -> list[tuple[str, str]]:
    """(value, label) of the deciding question, as links in the email."""
    return survey.deciding.choices(locale)


#: At most this many buttons in one row: six 40 px buttons fit a 360 px phone's email.
ROW_MAX = 6


def _rows(choices: list) -> dict[str, Any]:
    """The choices in balanced rows of at most ROW_MAX (NPS: 0–5, 6–10; CES: 1–4, 5–7)."""
    count = -(-len(choices) // ROW_MAX)  # rows needed
    per_row = -(-len(choices) // count) if choices else 0
    rows = [choices[i : i + per_row] for i in range(0, len(choices), per_row or 1)]
    return {"choice_rows": rows, "choice_columns": per_row}


def subject_of(journey: Journey, moment_name: str, locale: str, *, reminder: bool = False) -> str:
    """An invitation's (or reminder's) subject in ``locale``."""
    template = REMINDER_SUBJECT if reminder else SUBJECT
    return i18n.translate(locale, template, brand=journey.brand, moment=moment_name)


def compose(
    invitation: Mapping[str, Any],
    journey: Journey,
    *,
    base_url: str,
    sender: str,
    reminder: bool = False,
) -> EmailMessage:
    """The invitation (or reminder) email, plain text and HTML, in its locale."""
    locale = invitation["locale"]
    moment = journey.moment(invitation["moment_id"])
    survey = survey_for(journey, moment)
    moment_name = survey.moment_name(locale)
    link = f"{base_url}/s/{invitation['token']}"
    unsubscribe = f"{base_url}/u/{invitation['token']}"
    expires = datetime.fromisoformat(invitation["expires_at"].replace("Z", "+00:00"))
    choices = [(f"{link}?a={value}", label) for value, label in one_click_choices(survey, locale)]
    context = {
        **brand_context(journey, base_url),
        "moment": moment_name,
        "link": link,
        "unsubscribe": unsubscribe,
        "question": survey.question_text(survey.deciding, locale),
        "choices": choices,
        "scale_ends": survey.deciding.scale_ends(locale),
        **_rows(choices),
        "expires": format_date(expires, format="long", locale=locale),
        "reminder": reminder,
    }
    subject = subject_of(journey, moment_name, locale, reminder=reminder)
    message = render_message(
        "invitation", context, locale=locale, subject=subject, sender=sender, to=invitation["email"]
    )
    # RFC 8058 one-click unsubscribe, shown as a button by most mail clients.
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return message


class Connection:
    """One SMTP connection for a whole batch, reopened once if the server drops it.

    Opening it, and sending each message, must end within the settings' deadline
    whatever the server does: a server that answers a byte at a time stays under each
    operation's timeout forever, and would hold the sending worker's round (and every
    email behind it). Past the deadline its socket is shut and the attempt fails."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def open(self) -> None:
        s = self.settings
        context = ssl.create_default_context()
        # Made unconnected, so that the deadline can reach its socket while it connects.
        if s.security == "tls":
            self.smtp = smtplib.SMTP_SSL(timeout=s.timeout, context=context)
        else:
            self.smtp = smtplib.SMTP(timeout=s.timeout)
        self._within_deadline(lambda: self._connect(context))

    def _connect(self, context: ssl.SSLContext) -> None:
        s = self.settings
        self.smtp.connect(s.host, s.port)
        if s.security == "starttls":
            self.smtp.starttls(context=context)
        if s.user:
            self.smtp.login(s.user, s.password or "")

    def send(self, message: EmailMessage) -> None:
        if self.smtp is None:
            self.open()
        try:
            self._within_deadline(lambda: self.smtp.send_message(message))
        except smtplib.SMTPServerDisconnected:
            self.open()
            self._within_deadline(lambda: self.smtp.send_message(message))

    def _within_deadline(self, action) -> None:
        smtp, cut = self.smtp, threading.Event()

        def cut_off() -> None:
            cut.set()
            sock = getattr(smtp, "sock", None)
            if sock is not None:
                with contextlib.suppress(OSError):  # already closed: it ended on its own
                    sock.shutdown(socket.SHUT_RDWR)

        timer = threading.Timer(self.settings.deadline, cut_off)
        timer.daemon = True
        timer.start()
        try:
            action()
        except (smtplib.SMTPException, OSError) as exc:
            if cut.is_set():
                raise self._cut_off(smtp) from exc
            raise
        finally:
            timer.cancel()
        if cut.is_set():  # what came before the cut may read as an answer: it is none
            raise self._cut_off(smtp)

    def _cut_off(self, smtp: smtplib.SMTP) -> TimeoutError:
        with contextlib.suppress(OSError):
            smtp.close()
        self.smtp = None  # its socket is shut: the next message opens another
        return TimeoutError(f"no answer within {self.settings.deadline:g} seconds")

    def close(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.smtp.quit()
            self.smtp = None


#: Waits before each new attempt of a queued email whose sending failed; after the last,
#: it is set aside (the invitation shows the failure and can be sent again).
RETRY_AFTER = [timedelta(minutes=m) for m in (1, 5, 30, 120)]


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    errors: list[tuple[str, str]] | None = None  # (customer or email, reason)
    sent_tokens: set[str] = field(default_factory=set)
    failed_tokens: set[str] = field(default_factory=set)


def send_invitations(
    db,
    invitations: Iterable[Mapping[str, Any]],
    *,
    settings: SmtpSettings,
    base_url: str,
    reminder: bool = False,
) -> SendReport:
    """Send each invitation's email over one connection; record success or failure."""
    report = SendReport(errors=[])
    journeys: dict[str, Journey] = {}
    connection = Connection(settings)
    try:
        for invitation in invitations:
            journey_id = invitation["journey_id"]
            if journey_id not in journeys:
                journeys[journey_id] = storage.journeys.get_journey(db, journey_id)
            try:
                message = compose(
                    invitation,
                    journeys[journey_id],
                    base_url=base_url,
                    sender=settings.sender,
                    reminder=reminder,
                )
            except Exception as exc:  # one message that cannot be made never stops a batch
                why = i18n.message(
                    N_("the message could not be written (%(detail)s)"),
                    detail=f"{exc}, {type(exc).__name__}"[:REPLY_CHARS],
                )
                _failed(db, report, invitation, why)
                continue
            try:
                connection.send(message)
            except (smtplib.SMTPException, OSError) as exc:
                _failed(db, report, invitation, describe_error(exc))
                if isinstance(exc, OSError | smtplib.SMTPServerDisconnected):
                    connection.close()  # the next message tries a fresh connection
                continue
            storage.invitations.mark_sent(db, invitation["token"], reminder=reminder)
            report.sent += 1
            report.sent_tokens.add(invitation["token"])
    finally:
        connection.close()
    return report


def send_created(db, tokens: list[str], *, settings: SmtpSettings, base_url: str) -> SendReport:
    """Email the invitations just created (those among ``tokens`` that have an address)."""
    pending = storage.invitations.invitations_to_send(
        db, now=storage.utcnow(), retry=False, tokens=tokens
    )
    return send_invitations(db, pending, settings=settings, base_url=base_url)


def send_queued(db, *, settings: SmtpSettings, base_url: str, limit: int = 100) -> SendReport:
    """Send up to ``limit`` emails the browser queued (invitations, then reminders). Each
    is leased while it is sent (storage/mail_queue.py); sent, it leaves the queue;
    failed, it is due again after RETRY_AFTER[attempt], and after the last attempt it
    is set aside (the invitation shows the failure and can be sent again)."""
    taken = storage.mail_queue.take_queued(db, storage.utcnow(), limit)
    report = SendReport(errors=[])
    try:
        _send_taken(db, taken, report, settings=settings, base_url=base_url)
    finally:
        done, now = [], storage.utcnow()
        for row in taken:  # one neither sent nor failed (an error of ours) waits its lease
            attempt = row["send_attempts"]  # before this round's
            if row["token"] in report.sent_tokens:
                done.append(row["queue_id"])
            elif row["token"] in report.failed_tokens:
                if attempt < len(RETRY_AFTER):
                    storage.mail_queue.retry_at(db, row["queue_id"], now + RETRY_AFTER[attempt])
                else:
                    done.append(row["queue_id"])
        storage.mail_queue.finish(db, done)
    return report


def _send_taken(db, taken, report: SendReport, *, settings: SmtpSettings, base_url: str) -> None:
    for reminder in (False, True):
        group = [row for row in taken if bool(row["reminder"]) == reminder]
        if group:
            part = send_invitations(
                db, group, settings=settings, base_url=base_url, reminder=reminder
            )
            report.sent += part.sent
            report.failed += part.failed
            report.errors += part.errors or []
            report.sent_tokens |= part.sent_tokens
            report.failed_tokens |= part.failed_tokens


def _failed(db, report: SendReport, invitation: Mapping[str, Any], why: Message) -> None:
    """Keep why an invitation was not sent (in any reader's language), and count it."""
    storage.invitations.mark_send_failed(db, invitation["token"], why.stored())
    report.failed_tokens.add(invitation["token"])
    report.failed += 1
    report.errors.append((invitation["customer_ref"] or invitation["email"], why.text("en")))


#: The most of a server's own reply a reason quotes.
REPLY_CHARS = 200


def describe_error(exc: BaseException) -> Message:
    """A send failure in a few words, in any reader's language (``.text(locale)``; kept
    with ``.stored()``); the server's own reply is quoted as it came."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = [
            f"{code} {msg.decode(errors='replace')}" for code, msg in exc.recipients.values()
        ]
        return i18n.message(N_("the recipient was refused (%(reply)s)"), reply=_quoted(replies))
    if isinstance(exc, smtplib.SMTPResponseException):
        reply = f"{exc.smtp_code} {exc.smtp_error.decode(errors='replace')}"
        return i18n.message(N_("the mail server answered %(reply)s"), reply=_quoted([reply]))
    if isinstance(exc, ConnectionRefusedError):
        return i18n.message(N_("the mail server refused the connection"))
    if isinstance(exc, TimeoutError) and str(exc).startswith("no answer"):
        return i18n.message(
            N_("the mail server did not answer in time (%(detail)s)"), detail=str(exc)
        )
    detail = str(exc)[:REPLY_CHARS]
    return i18n.message(N_("an error (%(detail)s)"), detail=f"{detail}, {type(exc).__name__}")


def _quoted(replies: list[str]) -> str:
    return ", ".join(reply.strip() for reply in replies)[:REPLY_CHARS]
