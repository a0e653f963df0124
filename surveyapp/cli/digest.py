"""``surveyapp digest``: the email digest of new negative responses."""

from __future__ import annotations

import click

from surveyapp import settings
from surveyapp.cli.common import open_db, warn
from surveyapp.services import digest, mailer
from surveyapp.workers import digest as digest_worker
from surveyapp.workers import rounds


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

    def send(db):
        reported = digest_worker.send_due(db, config, global_digest=global_digest, loop=loop)
        if reported or not loop:
            said = f"sent a digest of {reported} negative responses" if reported else None
            click.echo(said or "no new negative responses", err=loop)

    try:
        # A round a minute (or more often): each digest is sent when it is due.
        rounds.run(
            send,
            name="digest",
            database=config["DATABASE"],
            loop=loop,
            interval=60 * min(every, 1.0),
            warn=warn,
            passing=digest_worker.PASSING,
            why=digest_worker.why_not_sent,
        )
    except mailer.MailConfigError as exc:
        raise click.ClickException(f"Cannot send the digest: {exc}.") from None
    except digest_worker.PASSING as exc:
        raise click.ClickException(digest_worker.why_not_sent(exc)) from None
