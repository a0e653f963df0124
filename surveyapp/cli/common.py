"""What the commands share: the database, looking up a journey or a moment, options."""

from __future__ import annotations

from datetime import date

import click

from surveyapp import settings, storage
from surveyapp.services import mailer


def database() -> str:
    """The configured database (``SURVEYAPP_DATABASE`` or the instance's SQLite file)."""
    return settings.load_settings()["DATABASE"]


def open_db():
    """The configured database, its schema brought up to date."""
    return storage.open_database(database())


def warn(text: str) -> None:
    """A worker's news on stderr (its round goes on)."""
    click.echo(text, err=True)


def journey_or_exit(db, journey_id: str):
    """The stored journey, or a message listing the known ones and exit 1."""
    found = storage.journeys.get_journey(db, journey_id)
    if found is None:
        raise click.ClickException(
            f"No journey '{journey_id}'. Known: "
            f"{', '.join(r['id'] for r in storage.journeys.list_journeys(db)) or 'none'}"
        )
    return found


def moment_or_exit(db, journey_id: str, moment_id: str):
    """The journey if it has that moment, or a message listing its moments and exit 1."""
    found = journey_or_exit(db, journey_id)
    if found.moment(moment_id) is None:
        raise click.ClickException(
            f"Journey '{journey_id}' has no moment '{moment_id}'. Moments: "
            f"{', '.join(m.id for m in found.moments)}"
        )
    return found


def smtp_or_exit(config):
    """SMTP settings from ``config``, or a message saying what is missing and exit 1."""
    try:
        return mailer.SmtpSettings.from_config(config)
    except mailer.MailConfigError as exc:
        raise click.ClickException(f"Cannot send: {exc}. Nothing was created or sent.") from None


def day_option(_ctx, _param, value):
    """A click callback: an option's YYYY-MM-DD value as a date."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date written YYYY-MM-DD") from None
