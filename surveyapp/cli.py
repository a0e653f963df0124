"""The ``surveyapp`` command: a thin click layer over the core modules."""

from __future__ import annotations

import contextlib
import csv
import json
import re
import smtplib
import subprocess  # nosec B404
import sys
import time
from datetime import date
from pathlib import Path

import click

from surveyapp import (
    accounts,
    apikeys,
    digest,
    i18n,
    invitations,
    mailer,
    scoring,
    settings,
    storage,
    surveys,
    webhooks,
)
from surveyapp import insights as insights_module
from surveyapp.journeys import DefinitionError, read_definition_file

ROOT = settings.ROOT


def _open_db():
    return storage.open_database(settings.load_settings()["DATABASE"])


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli():
    """Short localized surveys for each moment of truth of a customer journey.

    Settings come from instance/config.py and SURVEYAPP_* environment variables
    (SURVEYAPP_DATABASE, SURVEYAPP_BASE_URL, SURVEYAPP_SECRET_KEY, ...).
    """


# --- journeys ----------------------------------------------------------------------------


@cli.group()
def journey():
    """Check, load and list journey definitions."""


def _read_all(files: tuple[str, ...]):
    """Parse every file; print each problem as FILE: path: reason. Return journeys, ok."""
    journeys, ok = [], True
    seen: dict[str, str] = {}
    for name in files:
        try:
            parsed = read_definition_file(name)
        except DefinitionError as exc:
            ok = False
            for problem in exc.problems:
                click.echo(f"{name}: {problem}", err=True)
            continue
        if parsed.id in seen:
            ok = False
            click.echo(f"{name}: id: '{parsed.id}' is also the id of {seen[parsed.id]}", err=True)
            continue
        seen[parsed.id] = name
        journeys.append(parsed)
    return journeys, ok


@journey.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def journey_check(files):
    """Validate definition files; print every problem; exit 1 if any.

    Example: surveyapp journey check journeys/cafe.yaml
    """
    journeys, ok = _read_all(files)
    if not ok:
        sys.exit(1)
    for parsed in journeys:
        click.echo(f"{parsed.id}: valid ({len(parsed.moments)} moments)")


@journey.command("load")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def journey_load(files):
    """Validate and store definitions, all or nothing; print what changed.

    Example: surveyapp journey load journeys/cafe.yaml journeys/saas.json
    """
    journeys, ok = _read_all(files)
    if not ok:
        click.echo("Nothing was loaded.", err=True)
        sys.exit(1)
    with _open_db() as db:
        for report in storage.store_journeys(db, journeys):
            click.echo(report.describe())


@journey.command("list")
def journey_list():
    """List stored journeys with their moments and responses."""
    with _open_db() as db:
        rows = storage.list_journeys(db)
    if not rows:
        click.echo("No journey yet: load one with `surveyapp journey load FILE`.")
    for row in rows:
        click.echo(
            f"{row['id']}\t{row['brand']}\t{row['moments']} moments\t"
            f"{row['responses']} responses\tlast: {row['last_response_at'] or '-'}"
        )


def _journey_or_exit(db, journey_id: str):
    found = storage.get_journey(db, journey_id)
    if found is None:
        click.echo(
            f"No journey '{journey_id}'. Known: "
            f"{', '.join(r['id'] for r in storage.list_journeys(db)) or 'none'}",
            err=True,
        )
        sys.exit(1)
    return found


# --- surveys and scores ------------------------------------------------------------------


@cli.group()
def survey():
    """Show generated surveys."""


@survey.command("show")
@click.argument("journey_id")
@click.argument("moment_id")
@click.option("--locale", type=click.Choice(i18n.LOCALES), help="Default: the journey's.")
def survey_show(journey_id, moment_id, locale):
    """Print a moment's survey as the customer reads it.

    Example: surveyapp survey show cafe meal --locale ro
    """
    with _open_db() as db:
        found = _journey_or_exit(db, journey_id)
    moment = found.moment(moment_id)
    if moment is None:
        click.echo(
            f"Journey '{journey_id}' has no moment '{moment_id}'. Moments: "
            f"{', '.join(m.id for m in found.moments)}",
            err=True,
        )
        sys.exit(1)
    if locale and locale not in found.locales:
        click.echo(f"Warning: '{journey_id}' is not offered in '{locale}'; shown anyway.", err=True)
    click.echo(
        surveys.render_text(surveys.survey_for(found, moment), locale or found.default_locale),
        nl=False,
    )


def _day(_ctx, _param, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date written YYYY-MM-DD") from None


SCORE_COLUMNS = scoring.SCORE_COLUMNS


@cli.command("scores")
@click.argument("journey_id")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
@click.option("--since", callback=_day, help="First day counted, YYYY-MM-DD (UTC).")
@click.option("--until", callback=_day, help="Last day counted, YYYY-MM-DD (UTC).")
@click.option("--locale", type=click.Choice(i18n.LOCALES), help="Only answers in this language.")
def scores_command(journey_id, fmt, since, until, locale):
    """Per-moment glory/pain tallies and figures of a journey.

    Example: surveyapp scores cafe --format json --since 2026-11-01
    """
    if since and until and since > until:
        raise click.BadParameter("--since is after --until", param_hint="--since")
    with _open_db() as db:
        found = _journey_or_exit(db, journey_id)
        tallies = storage.moment_tallies(db, found.id, since=since, until=until, locale=locale)
        retired = storage.retired_moments(db, found.id)
    results = scoring.journey_scores(found, retired, tallies)
    if fmt == "json":
        click.echo(
            json.dumps(
                {"journey": found.id, "moments": [s.to_dict() for s in results]},
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    rows = [{c: s.to_dict().get(c, "") for c in SCORE_COLUMNS} for s in results]
    if fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=SCORE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: "" if v is None else v for k, v in r.items()} for r in rows)
        return
    shown = (
        "id",
        "kind",
        "responses",
        "positive",
        "neutral",
        "negative",
        "net_score",
        "nps",
        "csat_mean",
        "ces_mean",
    )
    table = [shown] + [
        tuple("-" if r[c] is None else ("" if r[c] == "" else str(r[c])) for c in shown)
        + (" (retired)" if r["retired"] else "",)
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(shown))]
    for row in table:
        cells = [
            cell.rjust(w) if i > 1 else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=False))
        ]
        click.echo("  ".join(cells).rstrip() + (row[len(shown)] if len(row) > len(shown) else ""))


# --- invitations -------------------------------------------------------------------------


def _moment_or_exit(db, journey_id: str, moment_id: str):
    found = _journey_or_exit(db, journey_id)
    if found.moment(moment_id) is None:
        click.echo(
            f"Journey '{journey_id}' has no moment '{moment_id}'. Moments: "
            f"{', '.join(m.id for m in found.moments)}",
            err=True,
        )
        sys.exit(1)
    return found


def _smtp_or_exit(config):
    try:
        return mailer.SmtpSettings.from_config(config)
    except mailer.MailConfigError as exc:
        click.echo(f"Cannot send: {exc}. Nothing was created or sent.", err=True)
        sys.exit(1)


def _report_sending(report) -> None:
    click.echo(f"sent {report.sent}, failed {report.failed}", err=True)
    for who, reason in report.errors:
        click.echo(f"  not sent to {who}: {reason}", err=True)
    if report.failed:
        click.echo(
            "Failed invitations are kept; `surveyapp send --retry` tries them again.", err=True
        )


@cli.command("invite")
@click.argument("journey_id")
@click.argument("moment_id")
@click.option("--customer", help="The customer's reference in your own systems.")
@click.option("--email", help="Where to send the invitation (with --send).")
@click.option("--locale", help="The customer's language (default: the journey's).")
@click.option(
    "--csv",
    "csv_file",
    type=click.Path(dir_okay=False, exists=True),
    help="Many customers: a CSV with columns customer,email,locale.",
)
@click.option("--out", type=click.Path(dir_okay=False), help="With --csv: write links here.")
@click.option("--skip-invalid", is_flag=True, help="With --csv: create the valid rows anyway.")
@click.option("--send", is_flag=True, help="Email each invitation that has an address.")
def invite_command(
    journey_id, moment_id, customer, email, locale, csv_file, out, skip_invalid, send
):
    """Create personal survey links, one per customer, and optionally email them.

    Example: surveyapp invite cafe meal --customer C-1042 --email ana@example.com --locale ro

    Example: surveyapp invite cafe meal --csv customers.csv --out links.csv --send
    """
    if bool(customer) == bool(csv_file):
        raise click.UsageError("give either --customer or --csv")
    config = settings.load_settings()
    smtp = _smtp_or_exit(config) if send else None
    if csv_file:
        try:
            requests, problems = invitations.read_csv(Path(csv_file).read_bytes())
        except invitations.CsvError as exc:
            click.echo(f"{csv_file}: {exc}. Nothing was created.", err=True)
            sys.exit(1)
        for problem in problems:
            click.echo(f"{csv_file}: {problem}", err=True)
        if problems and not skip_invalid:
            click.echo(
                f"{len(problems)} invalid rows: nothing was created "
                "(fix them, or pass --skip-invalid).",
                err=True,
            )
            sys.exit(1)
    else:
        problem = invitations.check_request(customer.strip(), email)
        if problem:
            click.echo(f"Invalid invitation: {problem}. Nothing was created.", err=True)
            sys.exit(1)
        requests = [invitations.Request(customer.strip(), email, locale)]
    with _open_db() as db:
        found = _moment_or_exit(db, journey_id, moment_id)
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
    """The input rows with each one's link, for mail merge (UTF-8 with BOM, for Excel)."""
    handle = open(out, "w", newline="", encoding="utf-8-sig") if out else sys.stdout  # noqa: SIM115
    try:
        writer = csv.writer(handle, lineterminator="\r\n" if out else "\n")
        writer.writerow(["customer", "email", "locale", "link", "status", "reason"])
        for o in outcomes:
            writer.writerow(
                [
                    o.request.customer,
                    o.request.email or "",
                    o.locale or "",
                    o.link or "",
                    o.status,
                    o.reason,
                ]
            )
    finally:
        if out:
            handle.close()


@cli.command("send")
@click.option("--journey", "journey_id", help="Only this journey's invitations.")
@click.option("--retry", is_flag=True, help="Also try again the invitations that failed.")
def send_command(journey_id, retry):
    """Email the invitations not sent yet (with --retry, also those that failed).

    Example: surveyapp send --retry
    """
    config = settings.load_settings()
    smtp = _smtp_or_exit(config)
    with _open_db() as db:
        pending = storage.invitations_to_send(
            db, now=storage.utcnow(), retry=retry, journey_id=journey_id
        )
        _report_sending(
            mailer.send_invitations(db, pending, settings=smtp, base_url=config["BASE_URL"])
        )


@cli.command("remind")
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
    smtp = _smtp_or_exit(config)
    days = after if after is not None else int(config["REMINDER_AFTER_DAYS"])
    with _open_db() as db:
        _journey_or_exit(db, journey_id)
        due = invitations.reminders_due(db, journey_id, after_days=days)
        _report_sending(
            mailer.send_invitations(
                db, due, settings=smtp, base_url=config["BASE_URL"], reminder=True
            )
        )


@cli.command("forget")
@click.argument("customer")
def forget_command(customer):
    """Erase a customer's personal data (reference, email); their answers still count.

    Example: surveyapp forget C-1042
    """
    with _open_db() as db:
        invited, answered = storage.forget_customer(db, customer)
    click.echo(
        f"forgot {customer}: {invited} invitations and {answered} responses no longer name them"
    )


@cli.command("qr")
@click.argument("journey_id")
@click.argument("moment_id")
@click.option("--lang", type=click.Choice(i18n.LOCALES), help="Language of the survey.")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="FILE.svg or FILE.png")
def qr_command(journey_id, moment_id, lang, out):
    """Write a QR code of a moment's public link, for receipts, tables and posters.

    Example: surveyapp qr cafe meal --lang ro --out meal-ro.svg
    """
    import segno

    if not out.lower().endswith((".svg", ".png")):
        raise click.BadParameter("the file name must end in .svg or .png", param_hint="--out")
    config = settings.load_settings()
    with _open_db() as db:
        found = _moment_or_exit(db, journey_id, moment_id)
    if lang and lang not in found.locales:
        click.echo(
            f"warning: '{lang}' is not a language of {journey_id}; using '{found.default_locale}'",
            err=True,
        )
        lang = found.default_locale
    link = f"{config['BASE_URL']}/j/{journey_id}/{moment_id}?src=qr"
    if lang:
        link += f"&lang={lang}"
    segno.make(link, error="m").save(out, scale=8, border=4)
    click.echo(f"{out}: {link}")


# --- admin accounts -------------------------------------------------------------------------


@cli.group()
def admin():
    """Accounts of the admin area (CX managers)."""


@admin.command("create")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice(accounts.ROLES),
    default="admin",
    show_default=True,
    help="admin: reads and changes; viewer: reads only.",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def admin_create(username, role, password_stdin):
    """Create an account; the password is asked for (or read with --password-stdin).

    Example: surveyapp admin create maria --role viewer
    """
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with _open_db() as db:
            accounts.create(db, username, password, role)
    except accounts.AccountError as exc:
        click.echo(f"Cannot create the account: {exc}.", err=True)
        sys.exit(1)
    click.echo(f"created {role} {username.strip()}")


@admin.command("list")
def admin_list():
    """List the accounts and their roles.

    Example: surveyapp admin list
    """
    with _open_db() as db:
        users = storage.list_users(db)
    if not users:
        click.echo("No account yet: `surveyapp admin create NAME`.")
    for user in users:
        click.echo(f"{user['username']}\t{user['role']}\tcreated {user['created_at'][:10]}")


@admin.command("delete")
@click.argument("username")
def admin_delete(username):
    """Delete an account; its open sessions end at their next request.

    Example: surveyapp admin delete maria
    """
    with _open_db() as db:
        if not storage.delete_user(db, username):
            click.echo(f"No account '{username}'.", err=True)
            sys.exit(1)
    click.echo(f"deleted {username}")


# --- insights ---------------------------------------------------------------------------

LABEL_TEXT = {
    "moment_of_truth": "MOMENT OF TRUTH",
    "breaker": "breaker",
    "maker": "maker",
    "neutral": "neutral",
    "not_enough_data": "not enough data",
}


@cli.command("insights")
@click.argument("journey_id")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option(
    "--min-group",
    type=click.IntRange(min=2),
    default=insights_module.MIN_GROUP,
    show_default=True,
    help="Fewer customers in glory or pain: not enough data.",
)
def insights_command(journey_id, fmt, min_group):
    """Which moments are true moments of truth, makers or breakers, from linked answers.

    Example: surveyapp insights saas-onboarding --format json
    """
    with _open_db() as db:
        found = _journey_or_exit(db, journey_id)
        result = insights_module.compute(db, found, min_group=min_group)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    if result.outcome_moment is None:
        click.echo(f"{journey_id} has no lmot or loyalty moment: nothing to measure against.")
        return
    unit = "NPS points" if result.outcome_metric == "nps" else "% points of positive"
    click.echo(
        f"Outcome: {result.outcome_moment} ({result.outcome_metric}), "
        f"{result.customers} customers. Differences in {unit}."
    )
    click.echo(
        f"{'moment':<18}{'declared':<11}{'found':<17}{'glory':>7}{'pain':>7}"
        f"{'lift':>8}{'drag':>8}  glory-pain [95% interval]"
    )
    for m in result.moments:
        interval = (
            f"{m.glory_vs_pain.value:+.1f} [{m.glory_vs_pain.low:+.1f}, "
            f"{m.glory_vs_pain.high:+.1f}]"
            if m.glory_vs_pain
            else "-"
        )
        lift = "-" if m.glory_lift is None else f"{m.glory_lift:+.1f}"
        drag = "-" if m.pain_drag is None else f"{m.pain_drag:+.1f}"
        click.echo(
            f"{m.id:<18}{m.kind:<11}{LABEL_TEXT[m.label]:<17}{m.glory.n:>7}"
            f"{m.pain.n:>7}{lift:>8}{drag:>8}  {interval}"
        )
    pe = result.peak_end
    if pe.get("customers"):
        click.echo(
            f"Peak-end: {pe['customers']} customers with several answers; mean "
            f"peak-end {pe['mean_peak_end']:+.2f} vs plain mean {pe['mean_plain']:+.2f} "
            f"(scale -1..+1); {pe['share_diverging']:.0%} diverge by 0.5 or more."
        )
        peaks = ", ".join(f"{k} {v}" for k, v in pe["pain_peaks"].items())
        click.echo(f"Peak of pain, by moment: {peaks or '-'}")
    for r in result.recoveries:
        if r.difference is None:
            click.echo(f"Recovery {r.id}: not enough data.")
            continue
        verdict = "recovery paradox: yes" if r.paradox else "recovery paradox: no"
        click.echo(
            f"Recovery {r.id}: resolved well ({r.recovered.n}) vs never a problem "
            f"({r.never_a_problem.n}): {r.difference.value:+.1f} [{r.difference.low:+.1f}"
            f", {r.difference.high:+.1f}]; {verdict}"
        )


@cli.command("simulate")
@click.argument("journey_id")
@click.option("--customers", type=click.IntRange(min=1, max=2_000_000), required=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option(
    "--truth",
    type=click.Path(dir_okay=False, exists=True),
    help="YAML or JSON: moments.<id>.role/glory/pain/response_rate.",
)
def simulate_command(journey_id, customers, seed, truth):
    """Fill the database with invitations and answers drawn from a stated ground truth.

    Example: surveyapp simulate saas-onboarding --customers 10000 --seed 7 --truth truth.yaml
    """
    import yaml

    from surveyapp import simulate

    with _open_db() as db:
        found = _journey_or_exit(db, journey_id)
        spec = None
        if truth:
            try:
                spec = yaml.safe_load(Path(truth).read_text(encoding="utf-8"))
            except (yaml.YAMLError, UnicodeDecodeError) as exc:
                click.echo(f"{truth}: not valid YAML or JSON: {exc}", err=True)
                sys.exit(1)
        try:
            summary = simulate.run(db, found, customers=customers, seed=seed, truth=spec)
        except simulate.TruthError as exc:
            click.echo(f"{truth or 'truth'}: {exc}. Nothing was written.", err=True)
            sys.exit(1)
    roles = ", ".join(f"{k}={v['role']}" for k, v in summary["truth"]["moments"].items())
    click.echo(
        f"simulated {customers} customers, {summary['responses']} responses "
        f"(seed {seed}); truth: {roles}"
    )


# --- API keys and webhooks ---------------------------------------------------------------


@cli.group()
def apikey():
    """Keys for the REST API (/api/v1)."""


@apikey.command("create")
@click.argument("name")
def apikey_create(name):
    """Create a key and print it once; only its hash is stored.

    Example: surveyapp apikey create order-system
    """
    with _open_db() as db:
        try:
            key = apikeys.create(db, name)
        except apikeys.ApiKeyError as exc:
            click.echo(f"Cannot create the key: {exc}.", err=True)
            sys.exit(1)
    click.echo(key)
    click.echo("Keep it now: it is not shown again.", err=True)


@apikey.command("list")
def apikey_list():
    """List the keys (their first characters only).

    Example: surveyapp apikey list
    """
    with _open_db() as db:
        for key in storage.list_api_keys(db):
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
    with _open_db() as db:
        if not storage.revoke_api_key(db, name):
            click.echo(f"No active key '{name}'.", err=True)
            sys.exit(1)
    click.echo(f"revoked {name}")


@cli.group()
def webhook():
    """Webhooks: your systems hear about answers as they arrive."""


def _events(_ctx, _param, value):
    events = [e.strip() for e in value.split(",") if e.strip()]
    unknown = [e for e in events if e not in storage.WEBHOOK_EVENTS]
    if not events or unknown:
        raise click.BadParameter(f"events are {', '.join(storage.WEBHOOK_EVENTS)}")
    return events


@webhook.command("add")
@click.argument("journey_id")
@click.argument("url")
@click.option(
    "--events", default="response.created,response.negative", show_default=True, callback=_events
)
def webhook_add(journey_id, url, events):
    """Send a journey's events to URL, signed per Standard Webhooks; prints the secret once.

    Example: surveyapp webhook add cafe https://crm.example.com/hooks --events response.negative
    """
    if not re.fullmatch(r"https?://[^\s]+", url):
        raise click.BadParameter("the URL must start with https:// or http://")
    secret = webhooks.new_secret()
    with _open_db() as db:
        _journey_or_exit(db, journey_id)
        endpoint_id = storage.add_webhook(db, journey_id, url, secret, events)
    click.echo(f"webhook {endpoint_id}: {', '.join(events)} of {journey_id} to {url}")
    click.echo(f"signing secret (shown once): {secret}")


@webhook.command("list")
@click.argument("journey_id", required=False)
def webhook_list(journey_id):
    """List webhook endpoints.

    Example: surveyapp webhook list cafe
    """
    with _open_db() as db:
        for e in storage.list_webhooks(db, journey_id):
            click.echo(f"{e['id']}\t{e['journey_id']}\t{e['url']}\t{e['events']}")


@webhook.command("remove")
@click.argument("endpoint_id", type=int)
def webhook_remove(endpoint_id):
    """Remove a webhook endpoint and its undelivered events.

    Example: surveyapp webhook remove 3
    """
    with _open_db() as db:
        if not storage.remove_webhook(db, endpoint_id):
            click.echo(f"No webhook {endpoint_id}.", err=True)
            sys.exit(1)
    click.echo(f"removed webhook {endpoint_id}")


@webhook.command("deliver")
@click.option("--loop", is_flag=True, help="Keep delivering every few seconds (the worker).")
@click.option("--interval", default=2.0, show_default=True, type=float)
def webhook_deliver(loop, interval):
    """Send the events that are due; failures are retried later with backoff.

    Example: surveyapp webhook deliver
    """
    with _open_db() as db:
        while True:
            delivered, failed = webhooks.deliver_due(db)
            if delivered or failed or not loop:
                click.echo(f"delivered {delivered}, failed {failed}", err=loop)
            if not loop:
                return
            time.sleep(interval)


@cli.command("digest")
@click.option("--loop", is_flag=True, help="Keep sending one every DIGEST_EVERY_MINUTES.")
@click.option("--dry-run", is_flag=True, help="Print it instead of sending; nothing is marked.")
def digest_command(loop, dry_run):
    """Email DIGEST_TO the negative responses stored since the last digest (the first:
    the last week's). Nothing new: nothing is sent.

    Example: SURVEYAPP_DIGEST_TO=cx-team@example.com surveyapp digest
    """
    config = settings.load_settings()
    try:
        to, locale = digest.settings(config)
    except digest.DigestConfigError as exc:
        click.echo(f"Cannot send the digest: {exc}.", err=True)
        sys.exit(1)
    with _open_db() as db:
        if dry_run:
            found = digest.collect(db, locale=locale, base_url=config["BASE_URL"])
            if found is None:
                click.echo("no new negative responses")
                return
            message = digest.compose(found, locale=locale, sender="dry-run", to=to)
            click.echo(message.get_body(("plain",)).get_content())
            return
        while True:
            try:
                reported = digest.send(db, config)
                if reported or not loop:
                    click.echo(
                        f"sent a digest of {reported} negative responses"
                        if reported
                        else "no new negative responses",
                        err=loop,
                    )
            except mailer.MailConfigError as exc:
                click.echo(f"Cannot send the digest: {exc}.", err=True)
                sys.exit(1)
            except (OSError, smtplib.SMTPException) as exc:
                # Nothing was marked: the same responses go in the next digest.
                click.echo(f"The digest could not be sent ({exc}); it is tried again.", err=True)
                if not loop:
                    sys.exit(1)
            if not loop:
                return
            time.sleep(60 * float(config["DIGEST_EVERY_MINUTES"]))


# --- running in production ---------------------------------------------------------------


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", type=click.IntRange(min=1), help="Default: 2 x cores + 1.")
def serve_command(host, port, workers):
    """Serve the service with gunicorn, with production settings, until stopped.

    Example: surveyapp serve --port 8000 --workers 5
    """
    from surveyapp import ConfigurationError, create_app, server

    try:
        app = create_app()
    except ConfigurationError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    # The webhook worker (and the digest, if DIGEST_TO is set) run beside the web workers
    # and stop with them: our own interpreter with fixed arguments, nothing from outside.
    tasks = [["webhook", "deliver", "--loop"]]
    if digest.recipients(app.config):
        try:  # a digest worker that cannot send would only say so in the log, once
            digest.settings(app.config)
            mailer.SmtpSettings.from_config(app.config)
        except mailer.MailConfigError as exc:
            click.echo(f"Cannot send the digest: {exc}.", err=True)
            sys.exit(1)
        tasks.append(["digest", "--loop"])
    background = [
        subprocess.Popen([sys.executable, "-m", "surveyapp.cli", *task])  # noqa: S603 # nosec B603
        for task in tasks
    ]
    try:
        server.serve(app, host=host, port=port, workers=workers or server.default_workers())
    finally:
        for process in background:
            process.terminate()
        for process in background:
            process.wait(timeout=30)


@cli.command("backup")
@click.argument("target", type=click.Path(dir_okay=False))
def backup_command(target):
    """Copy the database while the service runs, with SQLite's online backup.

    Example: surveyapp backup /var/backups/surveyapp-$(date +%F).db
    """
    if Path(target).exists():
        click.echo(f"{target} exists already: choose a new file name.", err=True)
        sys.exit(1)
    with _open_db() as db:
        pages = storage.backup(db, target)
    click.echo(f"backed up {pages} pages to {target}")


# --- demo --------------------------------------------------------------------------------


@cli.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def demo_command(host, port):
    """Serve two example journeys on a throwaway instance until Ctrl-C."""
    from surveyapp import demo

    demo.run(host=host, port=port)


# --- translations ------------------------------------------------------------------------


@cli.group()
def translate():
    """Translation workflow: extract, update, compile (and init a new language)."""


def _pybabel(*args: str) -> None:
    from babel.messages.frontend import CommandLineInterface

    # From the checkout's root, so the catalogs name source files by relative path.
    with contextlib.chdir(ROOT):
        CommandLineInterface().run(["pybabel", "-q", *args])


POT = str(ROOT / "translations" / "messages.pot")


@translate.command("extract")
@click.option("--output", default=POT, show_default=True, type=click.Path(dir_okay=False))
def translate_extract(output):
    """Collect every message (code, templates, blueprints) into translations/messages.pot."""
    _pybabel(
        "extract",
        "-F",
        str(ROOT / "babel.cfg"),
        "-k",
        "translate:2",
        "-k",
        "translate_plural:2,3",
        "-k",
        "N_",
        "-k",
        "_l",
        "--add-comments=Translators:",
        "--project=surveyapp",
        "--copyright-holder=surveyapp",
        "-o",
        str(Path(output).resolve()),
        ".",
    )
    click.echo(f"Wrote {output}")


@translate.command("update")
def translate_update():
    """Merge messages.pot into every catalog (new messages arrive untranslated, never fuzzy)."""
    _pybabel(
        "update",
        "-i",
        POT,
        "-d",
        str(ROOT / "translations"),
        "--no-fuzzy-matching",
        "--ignore-obsolete",
    )


@translate.command("compile")
def translate_compile():
    """Compile every .po catalog to the .mo the service reads."""
    _pybabel("compile", "-d", str(ROOT / "translations"), "--statistics")


@translate.command("init")
@click.argument("language")
def translate_init(language):
    """Start a catalog for a new language (then add it to i18n.LOCALES)."""
    _pybabel("init", "-i", POT, "-d", str(ROOT / "translations"), "-l", language)


def main() -> None:
    cli(prog_name="surveyapp")


if __name__ == "__main__":
    main()
