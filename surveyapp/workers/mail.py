"""The sending worker's round: the emails the admin pages queued (invitations, then
reminders), then the emails to customers of follow-ups (services/customer_mail.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from surveyapp.services import customer_mail, mailer
from surveyapp.services.mailer import SendReport, SmtpSettings
from surveyapp.storage import Database


def send_due(db: Database, settings: SmtpSettings, config: Mapping[str, Any]) -> SendReport:
    """Send what is due this round; what was sent and what failed, with why."""
    report = mailer.send_queued(db, settings=settings, base_url=config["BASE_URL"])
    customers = customer_mail.send_due(
        db, settings, base_url=config["BASE_URL"], reply_to=config.get("MAIL_REPLY_TO")
    )
    report.sent += customers.sent
    report.failed += customers.failed
    report.errors += customers.errors or []
    return report
