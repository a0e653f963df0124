"""``surveyapp journey check|load|list``: journey definitions, as code."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from surveyapp import storage
from surveyapp.cli.common import journey_or_exit, open_db
from surveyapp.domain.completeness import fallbacks
from surveyapp.domain.definitions import dump_definition, read_definition_file
from surveyapp.domain.problems import DefinitionError


@click.group()
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
        journeys.append((name, parsed))
    return journeys, ok


def _warn(journeys) -> int:
    """Print a warning per text that falls back to the default locale; how many."""
    count = 0
    for name, parsed in journeys:
        for fallback in fallbacks(parsed):
            click.echo(f"{name}: warning: {fallback}", err=True)
            count += 1
    return count


@journey.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--strict", is_flag=True, help="Also exit 1 when a text falls back to the default locale."
)
def journey_check(files, strict):
    """Validate definition files; print every problem and every text missing in a locale
    (its readers get the default locale's); exit 1 on a problem, or with --strict on a
    warning too.

    Example: surveyapp journey check --strict journeys/cafe.yaml
    """
    journeys, ok = _read_all(files)
    if not ok:
        raise click.ClickException("Not valid: each problem is above, as FILE: path: reason.")
    warnings = _warn(journeys)
    for _, parsed in journeys:
        click.echo(f"{parsed.id}: valid ({len(parsed.moments)} moments)")
    if strict and warnings:
        raise click.ClickException(f"{warnings} warning(s), refused by --strict.")


@journey.command("load")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def journey_load(files):
    """Validate and store definitions, all or nothing; print what changed.

    Example: surveyapp journey load journeys/cafe.yaml journeys/saas.json
    """
    journeys, ok = _read_all(files)
    if not ok:
        raise click.ClickException("Nothing was loaded.")
    _warn(journeys)
    with open_db() as db:
        author = f"cli:{getpass.getuser()}"
        for report in storage.journeys.store_journeys(db, [p for _, p in journeys], author=author):
            click.echo(report.describe())


@journey.command("export")
@click.argument("journey_id")
@click.option("--out", type=click.Path(dir_okay=False), help="Write to a file, not stdout.")
def journey_export(journey_id, out):
    """The stored definition as YAML that `journey load` takes back unchanged (its logo
    written in the file).

    Example: surveyapp journey export cafe --out journeys/cafe.yaml
    """
    with open_db() as db:
        found = journey_or_exit(db, journey_id)
        logo = found.branding.logo if found.branding else None
        text = dump_definition(found, storage.journeys.logo(db, logo.sha256)[1] if logo else None)
    if out:
        Path(out).write_text(text, encoding="utf-8")
        click.echo(f"{journey_id}: written to {out}")
    else:
        click.echo(text, nl=False)


@journey.command("list")
def journey_list():
    """List stored journeys with their moments and responses."""
    with open_db() as db:
        rows = storage.journeys.list_journeys(db)
    if not rows:
        click.echo("No journey yet: load one with `surveyapp journey load FILE`.")
    for row in rows:
        click.echo(
            f"{row['id']}\t{row['brand']}\t{row['moments']} moments\t"
            f"{row['responses']} responses\tlast: {row['last_response_at'] or '-'}"
        )
