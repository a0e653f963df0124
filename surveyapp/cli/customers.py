"""``surveyapp customer-data|forget``: a customer's data on request, as JSON, or erased."""

from __future__ import annotations

import json

import click

from surveyapp.cli.common import open_db
from surveyapp.services import customer_data

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
