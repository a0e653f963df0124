"""``surveyapp terms``: the words that set a moment's pain comments apart from its glory
comments."""

from __future__ import annotations

import json

import click

from surveyapp import storage
from surveyapp.cli.common import day_option, moment_or_exit, open_db
from surveyapp.domain.comment_vocabulary import SHOWN_TERMS
from surveyapp.domain.vocabulary import LOCALES


@click.command("terms")
@click.argument("journey_id")
@click.argument("moment_id")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option("--since", callback=day_option, help="First day counted, YYYY-MM-DD (UTC).")
@click.option("--until", callback=day_option, help="Last day counted, YYYY-MM-DD (UTC).")
@click.option("--locale", type=click.Choice(LOCALES), help="Only comments in this language.")
def terms_command(journey_id, moment_id, fmt, since, until, locale):
    """The words and two-word phrases that set a moment's comments on negative answers
    apart from those on positive answers, per language, and each theme's share of them
    (the comments page's figures and GET /api/v1/journeys/<id>/moments/<moment>/terms).

    Example: surveyapp terms cafe meal --locale fr --since 2026-11-01
    """
    if since and until and since > until:
        raise click.BadParameter("--since is after --until", param_hint="--since")
    # Stemmers: for the command that reads terms.
    from surveyapp.services import comment_terms, comment_themes

    period = {"since": since, "until": until, "locale": locale}
    with open_db() as db:
        journey = moment_or_exit(db, journey_id, moment_id)
        read = comment_terms.read(db, journey, moment_id, **period)  # once for both
        found = comment_terms.for_moment(db, journey, moment_id, rows=read)
        themes = storage.themes.list_themes(db, journey.id)
        shares = comment_themes.shares(themes, read)
    if fmt == "json":
        out = {"languages": [a.to_dict() for a in found], "themes": [s.to_dict() for s in shares]}
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo(f"No comment on a positive or negative answer to {moment_id} yet.")
    for analysis in found:
        click.echo(
            f"{analysis.locale}: {analysis.pain_comments} comments on negative answers, "
            f"{analysis.glory_comments} on positive, {analysis.tested} terms tested"
        )
        for side, terms in (("pain", analysis.pain), ("glory", analysis.glory)):
            shown = ", ".join(
                f"{t.text} (z {abs(t.z):.1f}, {t.pain}/{t.glory})" for t in terms[:SHOWN_TERMS]
            )
            click.echo(f"  {side}: {shown or 'none beyond chance'}")
    for share in shares:
        name = share.theme.name(journey.default_locale, journey.default_locale)
        click.echo(
            f"theme {name}: {_share(share.pain)} of pain comments, {_share(share.glory)} of glory"
        )


def _share(figure) -> str:
    """``34% [25, 44]``, or ``-`` without comments."""
    if figure is None:
        return "-"
    return f"{figure.value:.0f}% [{figure.low:.0f}, {figure.high:.0f}]"
