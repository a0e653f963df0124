"""``surveyapp apikey …`` and ``surveyapp webhook …``: how the company's systems connect."""

from __future__ import annotations

import click

from surveyapp import settings, storage
from surveyapp.cli.common import database, journey_or_exit, open_db, warn
from surveyapp.domain.vocabulary import PAIN_SHARE_EVENT, WEBHOOK_EVENTS, WebhookFormat, values
from surveyapp.services import apikeys, outgoing, webhooks
from surveyapp.workers import rounds
from surveyapp.workers import webhooks as webhook_worker


@click.group()
def apikey():
    """Keys for the REST API (/api/v1)."""


@apikey.command("create")
@click.argument("name")
def apikey_create(name):
    """Create a key and print it once; only its hash is stored.

    Example: surveyapp apikey create order-system
    """
    with open_db() as db:
        try:
            key = apikeys.create(db, name)
        except apikeys.ApiKeyError as exc:
            raise click.ClickException(f"Cannot create the key: {exc}.") from None
    click.echo(key)
    click.echo("Keep it now: it is not shown again.", err=True)


@apikey.command("list")
def apikey_list():
    """List the keys (their first characters only).

    Example: surveyapp apikey list
    """
    with open_db() as db:
        for key in storage.apikeys.list_api_keys(db):
            state = f"revoked {key['revoked_at'][:10]}" if key["revoked_at"] else "active"
            click.echo(
                f"{key['name']}\t{key['prefix']}…\t{state}\tcreated {key['created_at'][:10]}"
            )


@apikey.command("revoke")
@click.argument("name")
def apikey_revoke(name):
    """Revoke a key: requests with it get 401 from now on.

    Example: surveyapp apikey revoke order-system
    """
    with open_db() as db:
        if not storage.apikeys.revoke_api_key(db, name):
            raise click.ClickException(f"No active key '{name}'.")
    click.echo(f"revoked {name}")


@click.group()
def webhook():
    """Webhooks: your systems hear about answers as they arrive."""


def _events(_ctx, _param, value):
    events = [e.strip() for e in value.split(",") if e.strip()]
    unknown = [e for e in events if e not in WEBHOOK_EVENTS]
    if not events or unknown:
        raise click.BadParameter(f"events are {', '.join(WEBHOOK_EVENTS)}")
    return events


@webhook.command("add")
@click.argument("journey_id")
@click.argument("url")
@click.option(
    "--events", default="response.created,response.negative", show_default=True, callback=_events
)
@click.option(
    "--format",
    "format_",
    type=click.Choice(values(WebhookFormat)),
    default=WebhookFormat.STANDARD.value,
    show_default=True,
    help="Signed JSON events, or a chat message for a Slack or Teams incoming webhook.",
)
@click.option(
    "--pain-threshold",
    type=click.IntRange(1, 99),
    help=f"Percent: report a moment whose pain share over 7 days is above it ({PAIN_SHARE_EVENT}).",
)
def webhook_add(journey_id, url, events, format_, pain_threshold):
    """Send a journey's events to URL, signed per Standard Webhooks; prints the secret once.

    Example: surveyapp webhook add cafe https://crm.example.com/hooks --events response.negative

    Example: surveyapp webhook add cafe https://hooks.slack.com/services/T0/B0/X --format slack
    --events response.negative --pain-threshold 30
    """
    if pain_threshold is not None and PAIN_SHARE_EVENT not in events:
        events.append(PAIN_SHARE_EVENT)
    if PAIN_SHARE_EVENT in events and pain_threshold is None:
        raise click.BadParameter(
            f"{PAIN_SHARE_EVENT} needs --pain-threshold, the share (percent) above which a "
            "moment is reported",
            param_hint="--pain-threshold",
        )
    try:
        outgoing.destination(url, outgoing.allowed_hosts(settings.load_settings()))
    except outgoing.NotAllowed as refused:
        raise click.BadParameter(str(refused)) from None
    secret = webhooks.new_secret()
    with open_db() as db:
        journey_or_exit(db, journey_id)
        endpoint_id = storage.webhooks.add_webhook(
            db, journey_id, url, secret, events, format=format_, pain_threshold=pain_threshold
        )
    click.echo(f"webhook {endpoint_id}: {', '.join(events)} of {journey_id} to {url} ({format_})")
    if format_ == WebhookFormat.STANDARD:
        click.echo(f"signing secret (shown once): {secret}")


@webhook.command("list")
@click.argument("journey_id", required=False)
def webhook_list(journey_id):
    """List webhook endpoints.

    Example: surveyapp webhook list cafe
    """
    with open_db() as db:
        for e in storage.webhooks.list_webhooks(db, journey_id):
            above = f"\tabove {e['pain_threshold']}%" if e["pain_threshold"] else ""
            click.echo(
                f"{e['id']}\t{e['journey_id']}\t{e['url']}\t{e['format']}\t{e['events']}{above}"
            )


@webhook.command("remove")
@click.argument("endpoint_id", type=int)
def webhook_remove(endpoint_id):
    """Remove a webhook endpoint and its undelivered events.

    Example: surveyapp webhook remove 3
    """
    with open_db() as db:
        if not storage.webhooks.remove_webhook(db, endpoint_id):
            raise click.ClickException(f"No webhook {endpoint_id}.")
    click.echo(f"removed webhook {endpoint_id}")


@webhook.command("deliver")
@click.option("--loop", is_flag=True, help="Keep delivering every few seconds (the worker).")
@click.option("--interval", default=2.0, show_default=True, type=float)
def webhook_deliver(loop, interval):
    """Send the events that are due; failures are retried later with backoff.

    Example: surveyapp webhook deliver
    """

    config = settings.load_settings()
    allowed = outgoing.allowed_hosts(config)

    def deliver(db):
        delivered, failed = webhook_worker.deliver_due(
            db, allowed_hosts=allowed, base_url=config["BASE_URL"]
        )
        if delivered or failed or not loop:
            click.echo(f"delivered {delivered}, failed {failed}", err=loop)

    rounds.run(
        deliver, name="webhooks", database=database(), loop=loop, interval=interval, warn=warn
    )
