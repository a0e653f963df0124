"""The ``surveyapp`` command: a thin click layer over the core modules."""

from __future__ import annotations

import contextlib
import csv
import json
import sys
from datetime import date
from pathlib import Path

import click

from surveyapp import i18n, scoring, settings, storage, surveys
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


SCORE_COLUMNS = (
    "id",
    "kind",
    "responses",
    "positive",
    "neutral",
    "negative",
    "net_score",
    "nps",
    "csat_mean",
    "csat_satisfied_pct",
    "ces_mean",
    "retired",
    "name",
)


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
