"""The sending worker's round: the emails the admin pages queued (invitations, then
reminders), then the emails to customers of follow-ups (services/customer_mail.py), then
the password links asked for from the login page (services/users.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from surveyapp.services import customer_mail, mailer, users
from surveyapp.services.mailer import SendReport, SmtpSettings
from surveyapp.storage import Database


def send_due(db: Database, settings: SmtpSettings, config: Mapping[str, Any]) -> SendReport:
    """Send what is due this round; what was sent and what failed, with why."""
    report = mailer.send_queued(db, settings=settings, base_url=config["BASE_URL"])
    customers = customer_mail.send_due(
        db, settings, base_url=config["BASE_URL"], reply_to=config.get("MAIL_REPLY_TO")
    )
    resets = users.send_reset_requests(db, settings, base_url=config["BASE_URL"])
    for part in (customers, resets):
        report.sent += part.sent
        report.failed += part.failed
        report.errors += part.errors or []
    return report
