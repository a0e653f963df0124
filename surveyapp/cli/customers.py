"""``surveyapp customer-data|forget|retention``: data governance: a customer's data on
request, as JSON, or erased; how long a journey's data is kept."""

from __future__ import annotations

import json

import click

from surveyapp import storage
from surveyapp.cli.common import journey_or_exit, open_db
from surveyapp.domain.governance_vocabulary import (
    RETENTION_DAYS_MAX,
    RETENTION_DAYS_MIN,
    RetentionAction,
)
from surveyapp.domain.vocabulary import values
from surveyapp.services import customer_data, retention

#: Who the audit log says did it, from the command line.
BY = "cli"


@click.command("customer-data")
@click.argument("customer", required=False)
@click.option("--email", help="Find the customer by their email address (too).")
@click.option("--out", type=click.File("w", encoding="utf-8"), default="-", help="FILE.json")
def customer_data_command(customer, email, out):
    """Write everything stored about a customer, across journeys, as one JSON document
    (a request of access); recorded in the audit log.

    Example: surveyapp customer-data C-1042 --out C-1042.json
    """
    with open_db() as db:
        document = customer_data.export(db, customer, email, by=BY)
    if document is None:
        raise click.ClickException("Nothing is stored about this customer.")
    json.dump(document, out, ensure_ascii=False, indent=2)
    out.write("\n")


@click.command("forget")
@click.argument("customer", required=False)
@click.option("--email", help="Find the customer by their email address (too).")
def forget_command(customer, email):
    """Erase a customer's personal data (reference, email, contact, queued emails);
    their answers still count, and an opt-out is kept. Recorded in the audit log.

    Example: surveyapp forget C-1042
    """
    with open_db() as db:
        erased = customer_data.forget(db, customer, email, by=BY)
    who = customer or email
    click.echo(
        f"forgot {who}: {erased['invitations']} invitations and {erased['responses']} "
        f"responses no longer name them; {erased['followups']} contacts, "
        f"{erased['emails']} queued emails and {erased['recoveries']} recovery addresses erased"
    )


@click.command("retention")
@click.argument("journey_id")
@click.option("--days", type=click.IntRange(RETENTION_DAYS_MIN, RETENTION_DAYS_MAX))
@click.option("--action", type=click.Choice(values(RetentionAction)), default="anonymize")
@click.option("--dry-run", is_flag=True, help="Count what it would change now; change nothing.")
@click.option("--off", is_flag=True, help="Keep the journey's data without limit.")
def retention_command(journey_id, days, action, dry_run, off):
    """Show or set how long a journey's responses, contacts and invitations are kept;
    the jobs worker deletes or anonymizes older ones every hour.

    Example: surveyapp retention cafe --days 365 --action anonymize --dry-run
    """
    with open_db() as db:
        journey_or_exit(db, journey_id)
        if off or days is not None:
            if dry_run:
                counts = retention.preview(db, journey_id, days, action) if days else {}
                said = ", ".join(f"{n} {kind}" for kind, n in counts.items()) or "nothing"
                click.echo(f"would {action} now: {said}")
                return
            storage.retention.set_window(
                db, journey_id, None if off else days, None if off else action, by=BY
            )
        window = retention.coverage(db, journey_id)
    if window is None:
        click.echo(f"{journey_id}: kept without limit")
    else:
        click.echo(
            f"{journey_id}: {window['action']} what is older than {window['days']} days "
            f"(before {window['since'].isoformat()})"
        )
