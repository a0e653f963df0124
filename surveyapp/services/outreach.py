"""Contacting a customer about their moment of pain: where they can be reached, a short
draft in their language that the manager edits, and the plain-text email it becomes
(sent by the sending worker, services/customer_mail.py)."""

from __future__ import annotations

from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

from surveyapp.domain import i18n
from surveyapp.domain.i18n import N_
from surveyapp.domain.journeys import Journey
from surveyapp.domain.text import is_valid_email
from surveyapp.services.email_render import headed
from surveyapp.services.mailer import Connection, SmtpSettings

SUBJECT = N_("About your visit: %(moment)s")
BODY = N_(
    "Hello,\n\n"
    "Thank you for telling us how “%(moment)s” went. We are sorry it was not what you "
    "expected, and we would like to make it right.\n\n"
    "Could you tell us a little more, or when we may call you? Simply answer this email.\n\n"
    "Kind regards,\n"
    "%(brand)s"
)
#: Why a customer cannot be emailed from the item, as the page says it.
NO_ADDRESS = {
    "anonymous": N_(
        "This answer came through a public link and the customer left no email address: "
        "they are anonymous, so they cannot be contacted from here."
    ),
    "phone": N_("The customer asked to be called back, not emailed."),
    "no_email": N_(
        "The customer's invitation has no email address (its link was sent by your own systems)."
    ),
}


def _email(text: str | None) -> str | None:
    text = (text or "").strip()
    return text if text and is_valid_email(text) else None


def address_of(item: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """Where the customer of an item can be emailed, or why not: (address, None) or
    (None, a key of NO_ADDRESS). The contact they left after answering comes first (they
    asked to be contacted there), then their invitation's email."""
    for candidate in (item.get("contact"), item.get("invitation_email")):
        if found := _email(candidate):
            return found, None
    if item.get("contact"):
        return None, "phone"
    if item.get("invitation_id") is not None:
        return None, "no_email"
    return None, "anonymous"


def phone_of(item: Mapping[str, Any]) -> str | None:
    """The phone number a customer left to be called back at, or None."""
    contact = (item.get("contact") or "").strip()
    return contact if contact and _email(contact) is None else None


def draft(journey: Journey, moment_name: str, locale: str) -> tuple[str, str]:
    """A subject and body in the customer's language, for the manager to edit."""
    return (
        i18n.translate(locale, SUBJECT, moment=moment_name),
        i18n.translate(locale, BODY, moment=moment_name, brand=journey.brand),
    )


def message(
    sender: str, *, to: str, subject: str, body: str, locale: str, reply_to: str | None
) -> EmailMessage:
    """One plain-text email in ``locale`` from ``sender``."""
    email = headed(sender=sender, to=to, subject=subject, reply_to=reply_to)
    email.set_content(body)
    email["Content-Language"] = locale  # after set_content, which drops Content-* headers
    return email


def send(
    settings: SmtpSettings, *, to: str, subject: str, body: str, locale: str, reply_to: str | None
) -> None:
    """Send one plain-text email now; raises what SMTP raises if it cannot."""
    connection = Connection(settings)
    try:
        connection.send(
            message(
                settings.sender,
                to=to,
                subject=subject,
                body=body,
                locale=locale,
                reply_to=reply_to,
            )
        )
    finally:
        connection.close()
