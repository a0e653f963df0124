"""``surveyapp digest``: the email digest of new negative responses."""

from __future__ import annotations

import smtplib
import time

import click

from surveyapp import settings, storage
from surveyapp.cli.common import open_db
from surveyapp.jobs import digest, mailer


@click.command("digest")
@click.option(
    "--loop",
    is_flag=True,
    help="Keep sending: DIGEST_TO's every DIGEST_EVERY_MINUTES, each journey's when due.",
)
@click.option("--dry-run", is_flag=True, help="Print it instead of sending; nothing is marked.")
def digest_command(loop, dry_run):
    """Email DIGEST_TO the negative responses stored since the last digest (the first:
    the last week's). Nothing new: nothing is sent.

    Example: SURVEYAPP_DIGEST_TO=cx-team@example.com surveyapp digest
    """
    config = settings.load_settings()
    # Looping (as `surveyapp serve` runs it), the journeys' own digests are sent too, and
    # DIGEST_TO is optional; once, the DIGEST_TO digest is the one sent.
    global_digest = not loop or bool(digest.recipients(config))
    try:
        to, locale = digest.settings(config) if global_digest else ([], "en")
    except digest.DigestConfigError as exc:
        raise click.ClickException(f"Cannot send the digest: {exc}.") from None
    if dry_run:
        with open_db() as db:
            found = digest.collect(db, locale=locale, base_url=config["BASE_URL"])
            if found is None:
                click.echo("no new negative responses")
                return
            message = digest.compose(found, locale=locale, sender="dry-run", to=to)
            click.echo(message.get_body(("plain",)).get_content())
            return
    every = float(config["DIGEST_EVERY_MINUTES"])
    while True:
        try:
            with open_db() as db:  # a connection per round, as the webhook worker does
                reported = 0
                if global_digest and (not loop or digest.due(db, digest.NAME, every / 60)):
                    reported = digest.send(db, config)
                if loop:
                    reported += digest.send_journeys(db, config)
            if reported or not loop:
                click.echo(
                    f"sent a digest of {reported} negative responses"
                    if reported
                    else "no new negative responses",
                    err=loop,
                )
        except mailer.MailConfigError as exc:
            raise click.ClickException(f"Cannot send the digest: {exc}.") from None
        except (OSError, smtplib.SMTPException, *storage.DATABASE_DOWN) as exc:
            # Nothing was marked: the same responses go in the next digest.
            why = f"The digest could not be sent ({exc}); it is tried again."
            if not loop:
                raise click.ClickException(why) from None
            click.echo(why, err=True)
        if not loop:
            return
        # A round a minute (or more often): each digest is sent when it is due.
        time.sleep(60 * min(every, 1.0))
