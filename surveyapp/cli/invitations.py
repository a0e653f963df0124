"""``surveyapp invite|send|remind|qr``: personal links, emails, opt-outs, QR codes."""

from __future__ import annotations

from pathlib import Path

import click

from surveyapp import settings, storage
from surveyapp.cli.common import (
    database,
    journey_or_exit,
    moment_or_exit,
    open_db,
    smtp_or_exit,
    warn,
)
from surveyapp.domain.spreadsheet_vocabulary import CSV_ENCODINGS
from surveyapp.domain.vocabulary import LOCALES
from surveyapp.services import invitation_csv, invitations, mailer
from surveyapp.workers import mail as mail_worker
from surveyapp.workers import rounds


def _report_sending(report) -> None:
    click.echo(f"sent {report.sent}, failed {report.failed}", err=True)
    for who, reason in report.errors:
        click.echo(f"  not sent to {who}: {reason}", err=True)
    if report.failed:
        click.echo(
            "Failed invitations are kept; `surveyapp send --retry` tries them again.", err=True
        )


@click.command("invite")
@click.argument("journey_id")
@click.argument("moment_id")
@click.option("--customer", help="The customer's reference in your own systems.")
@click.option("--email", help="Where to send the invitation (with --send).")
@click.option("--locale", help="The customer's language (default: the journey's).")
@click.option(
    "--csv",
    "csv_file",
    type=click.Path(dir_okay=False, exists=True),
    help="Many customers: a CSV with columns customer, email, locale (or client, "
    "e-mail, langue / limba), in UTF-8, UTF-16 or Excel's Windows-1252/1250.",
)
@click.option(
    "--encoding",
    type=click.Choice(list(CSV_ENCODINGS)),
    help="With --csv: the file's encoding, when the one found is wrong.",
)
@click.option("--out", type=click.Path(dir_okay=False), help="With --csv: write links here.")
@click.option("--skip-invalid", is_flag=True, help="With --csv: create the valid rows anyway.")
@click.option("--send", is_flag=True, help="Email each invitation that has an address.")
def invite_command(
    journey_id, moment_id, customer, email, locale, csv_file, encoding, out, skip_invalid, send
):
    """Create personal survey links, one per customer, and optionally email them.

    Example: surveyapp invite cafe meal --customer C-1042 --email ana@example.com --locale ro

    Example: surveyapp invite cafe meal --csv customers.csv --out links.csv --send
    """
    if bool(customer) == bool(csv_file):
        raise click.UsageError("give either --customer or --csv")
    config = settings.load_settings()
    smtp = smtp_or_exit(config) if send else None
    if csv_file:
        with open_db() as db:  # column names a manager gave this journey's files
            columns = storage.journey_settings.import_columns(db, journey_id)
        try:
            data = Path(csv_file).read_bytes()
            requests, problems = invitation_csv.read_csv(data, encoding, columns)
        except invitation_csv.CsvError as exc:
            raise click.ClickException(f"{csv_file}: {exc}. Nothing was created.") from None
        for problem in problems:
            click.echo(f"{csv_file}: {problem}", err=True)
        if problems and not skip_invalid:
            raise click.ClickException(
                f"{len(problems)} invalid rows: nothing was created "
                "(fix them, or pass --skip-invalid)."
            )
    else:
        problem = invitation_csv.check_request(customer.strip(), email)
        if problem:
            raise click.ClickException(f"Invalid invitation: {problem}. Nothing was created.")
        requests = [invitation_csv.Request(customer.strip(), email, locale)]
    with open_db() as db:
        found = moment_or_exit(db, journey_id, moment_id)
        outcomes = invitations.create_from_config(db, found, moment_id, requests, config)
        created = [o for o in outcomes if o.status == "created"]
        for outcome in outcomes:
            where = f"line {outcome.request.line} " if outcome.request.line else ""
            for warning in outcome.warnings:
                click.echo(f"warning: {where}({outcome.request.customer}): {warning}", err=True)
            if outcome.status == "skipped":
                click.echo(
                    f"skipped {where}({outcome.request.customer}): {outcome.reason}", err=True
                )
        if csv_file:
            _write_links(outcomes, out)
            click.echo(f"created {len(created)}, skipped {len(outcomes) - len(created)}", err=True)
        elif created:
            click.echo(created[0].link)
        if smtp and created:
            tokens = [o.token for o in created if o.request.email]
            _report_sending(
                mailer.send_created(db, tokens, settings=smtp, base_url=config["BASE_URL"])
            )


def _write_links(outcomes, out) -> None:
    """The input rows with each one's link, for mail merge (a file as Excel reads it)."""
    rows = (
        [o.request.customer, o.request.email, o.locale, o.link, o.status, o.reason]
        for o in outcomes
    )
    text = "".join(invitations.links_csv(rows))
    if out:
        Path(out).write_text(text, encoding="utf-8", newline="")
    else:
        click.echo(text.removeprefix("\ufeff"), nl=False)  # no BOM in a pipe


@click.command("send")
@click.option("--journey", "journey_id", help="Only this journey's invitations.")
@click.option("--retry", is_flag=True, help="Also try again the invitations that failed.")
@click.option(
    "--queued", is_flag=True, help="Only what the admin pages asked to send (their queue)."
)
@click.option("--loop", is_flag=True, help="With --queued: keep sending (the worker).")
@click.option("--interval", default=2.0, show_default=True, type=float)
def send_command(journey_id, retry, queued, loop, interval):
    """Email the invitations not sent yet (with --retry, also those that failed).

    Example: surveyapp send --retry

    Example: surveyapp send --queued --loop   (what `surveyapp serve` runs beside the web)
    """
    if loop and not queued:
        raise click.UsageError("--loop sends the queue: give --queued too")
    config = settings.load_settings()
    smtp = smtp_or_exit(config)
    if queued:
        _send_queue(smtp, config, loop, interval)
        return
    with open_db() as db:
        pending = storage.invitations.invitations_to_send(
            db, now=storage.utcnow(), retry=retry, journey_id=journey_id
        )
        _report_sending(
            mailer.send_invitations(db, pending, settings=smtp, base_url=config["BASE_URL"])
        )


def _send_queue(smtp, config, loop: bool, interval: float) -> None:
    def send(db):
        report = mail_worker.send_due(db, smtp, config)
        if report.sent or report.failed or not loop:
            _report_sending(report)

    rounds.run(send, name="mail", database=database(), loop=loop, interval=interval, warn=warn)


@click.command("remind")
@click.argument("journey_id")
@click.option(
    "--after",
    type=click.IntRange(min=0),
    help="Days since the invitation (default: REMINDER_AFTER_DAYS, 3).",
)
def remind_command(journey_id, after):
    """Send one reminder for each unanswered, unexpired invitation older than --after days.

    Example: surveyapp remind cafe --after 3
    """
    config = settings.load_settings()
    smtp = smtp_or_exit(config)
    days = after if after is not None else int(config["REMINDER_AFTER_DAYS"])
    with open_db() as db:
        journey_or_exit(db, journey_id)
        due = invitations.reminders_due(db, journey_id, after_days=days)
        _report_sending(
            mailer.send_invitations(
                db, due, settings=smtp, base_url=config["BASE_URL"], reminder=True
            )
        )


@click.command("qr")
@click.argument("journey_id")
@click.argument("moment_id")
@click.option("--lang", type=click.Choice(LOCALES), help="Language of the survey.")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="FILE.svg or FILE.png")
def qr_command(journey_id, moment_id, lang, out):
    """Write a QR code of a moment's public link, for receipts, tables and posters.

    Example: surveyapp qr cafe meal --lang ro --out meal-ro.svg
    """
    if not out.lower().endswith((".svg", ".png")):
        raise click.BadParameter("the file name must end in .svg or .png", param_hint="--out")
    config = settings.load_settings()
    with open_db() as db:
        found = moment_or_exit(db, journey_id, moment_id)
    if lang and lang not in found.locales:
        click.echo(
            f"warning: '{lang}' is not a language of {journey_id}; using '{found.default_locale}'",
            err=True,
        )
        lang = found.default_locale
    link = invitations.public_link(config["BASE_URL"], journey_id, moment_id, lang, qr=True)
    Path(out).write_bytes(invitations.qr_code(link, out.lower().rsplit(".", 1)[1]))
    click.echo(f"{out}: {link}")
