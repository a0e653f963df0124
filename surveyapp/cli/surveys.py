"""``surveyapp survey show`` and ``surveyapp scores``: surveys as customers read them,
and per-moment figures."""

from __future__ import annotations

import csv
import json
import sys

import click

from surveyapp.cli.common import day_option, journey_or_exit, moment_or_exit, open_db
from surveyapp.domain import scoring, surveys
from surveyapp.domain.vocabulary import LOCALES
from surveyapp.services import scores


@click.group()
def survey():
    """Show generated surveys."""


@survey.command("show")
@click.argument("journey_id")
@click.argument("moment_id")
@click.option("--locale", type=click.Choice(LOCALES), help="Default: the journey's.")
def survey_show(journey_id, moment_id, locale):
    """Print a moment's survey as the customer reads it.

    Example: surveyapp survey show cafe meal --locale ro
    """
    with open_db() as db:
        found = moment_or_exit(db, journey_id, moment_id)
    moment = found.moment(moment_id)
    if locale and locale not in found.locales:
        click.echo(f"Warning: '{journey_id}' is not offered in '{locale}'; shown anyway.", err=True)
    click.echo(
        surveys.render_text(surveys.survey_for(found, moment), locale or found.default_locale),
        nl=False,
    )


SCORE_COLUMNS = scoring.SCORE_COLUMNS


@click.command("scores")
@click.argument("journey_id")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
@click.option("--since", callback=day_option, help="First day counted, YYYY-MM-DD (UTC).")
@click.option("--until", callback=day_option, help="Last day counted, YYYY-MM-DD (UTC).")
@click.option("--locale", type=click.Choice(LOCALES), help="Only answers in this language.")
def scores_command(journey_id, fmt, since, until, locale):
    """Per-moment glory/pain tallies and figures of a journey.

    Example: surveyapp scores cafe --format json --since 2026-11-01
    """
    if since and until and since > until:
        raise click.BadParameter("--since is after --until", param_hint="--since")
    with open_db() as db:
        found = journey_or_exit(db, journey_id)
        figures = scores.journey_scores(db, found, since=since, until=until, locale=locale)
    results = figures.moments
    if fmt == "json":
        click.echo(json.dumps(figures.to_dict(found.id), ensure_ascii=False, indent=2))
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
        "invited",
        "answered",
        "response_rate_pct",
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
    total = figures.invitations
    if total["invited"]:
        click.echo(
            f"invitations: {total['invited']} made, {total['sent']} sent, "
            f"{total['opened']} opened, {total['answered']} answered, {total['reached']} "
            f"reached; response rate "
            f"{total['response_rate_pct']}% (95% interval {total['response_rate_low_pct']}"
            f"–{total['response_rate_high_pct']}%)"
        )
