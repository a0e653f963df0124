"""``surveyapp insights`` and ``surveyapp simulate``: moments of truth from linked answers,
and simulated answers with a stated ground truth."""

from __future__ import annotations

import json
from pathlib import Path

import click

from surveyapp.cli.common import journey_or_exit, open_db
from surveyapp.domain.insight_vocabulary import INSIGHT_MIN_GROUP, PEAK_END_VERDICTS


def _label_text(label: str) -> str:
    """A label as the table shows it; moments of truth stand out."""
    text = label.replace("_", " ")
    return text.upper() if label == "moment_of_truth" else text


def _figure(figure) -> str:
    """``+31.0 [+18.2, +44.0]``, or ``-`` without one."""
    if figure is None:
        return "-"
    return f"{figure.value:+.1f} [{figure.low:+.1f}, {figure.high:+.1f}]"


@click.command("insights")
@click.argument("journey_id")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option(
    "--min-group",
    type=click.IntRange(min=2),
    default=INSIGHT_MIN_GROUP,
    show_default=True,
    help="Fewer customers in glory, so-so or pain: not enough data.",
)
@click.option("--outcome", help="One of the outcomes the journey names (default: the first).")
def insights_command(journey_id, fmt, min_group, outcome):
    """Which moments are true moments of truth, makers or breakers, from linked answers
    (the figures of the insights page and of GET /api/v1/journeys/<id>/insights).

    Example: surveyapp insights saas-onboarding --format json
    """
    from surveyapp.services import insights  # numpy: only for the command that analyses

    with open_db() as db:
        found = journey_or_exit(db, journey_id)
        names = [m.id for m in insights.outcome_moments(found)]
        if outcome is not None and outcome not in names:
            raise click.BadParameter(f"outcomes of {journey_id}: {', '.join(names)}")
        result = insights.compute(db, found, min_group=min_group, outcome_id=outcome)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    if result.outcome_moment is None:
        click.echo(f"{journey_id} has no lmot or loyalty moment: nothing to measure against.")
        return
    unit = "NPS points" if result.outcome_metric == "nps" else "percentage points of positive"
    explained = "-" if result.explained is None else f"{result.explained:.0f}%"
    click.echo(
        f"Outcome: {result.outcome_moment} ({result.outcome_metric}), {result.customers} "
        f"customers, {result.modelled} of them with other answers; the moments explain "
        f"{explained} of the differences between them."
    )
    click.echo(
        f"Lift and drag in {unit} against a so-so moment, net of the other moments, with "
        f"95% intervals. A label needs {result.threshold:g} or more, surely above "
        f"{result.margin:g} (Holm, {result.family_error:.0%} over the journey), and "
        f"{result.min_group} customers in glory, so-so and pain."
    )
    click.echo(
        f"{'moment':<18}{'declared':<11}{'found':<17}{'glory':>7}{'so-so':>7}{'pain':>7}"
        f"  {'glory lift':<24}{'pain drag':<24}share of explained"
    )
    for m in result.moments:
        click.echo(
            f"{m.id:<18}{m.kind:<11}{_label_text(m.label):<17}{m.glory.n:>7}{m.so_so.n:>7}"
            f"{m.pain.n:>7}  {_figure(m.glory_lift):<24}{_figure(m.pain_drag):<24}"
            f"{_figure(m.importance)}"
        )
    for m in result.moments:
        lift, drag = m.glory_lift, m.pain_drag
        if (
            m.label == "no_clear_effect"
            and lift
            and drag
            and lift.unseen_below
            and drag.unseen_below
        ):
            click.echo(
                f"{m.id}: at this size, a breaker costing less than {drag.unseen_below:g} or a "
                f"maker bringing less than {lift.unseen_below:g} would go unseen."
            )
    pe = result.peak_end
    if pe.get("customers"):
        click.echo(
            f"Peak-end: {pe['customers']} customers with several answers; mean "
            f"peak-end {pe['mean_peak_end']:+.2f} vs plain mean {pe['mean_plain']:+.2f} "
            f"(scale -1..+1); {pe['share_diverging']:.0%} diverge by 0.5 or more."
        )
        if pe["verdict"]:
            click.echo(
                f"Predicting the outcome ({pe['with_outcome']} customers): peak-end explains "
                f"{pe['explained_peak_end']:.1f}%, the plain mean {pe['explained_mean']:.1f}%; "
                f"difference {_figure(insights.Figure(**pe['difference']))}: "
                f"{PEAK_END_VERDICTS[pe['verdict']]}."
            )
        peaks = ", ".join(f"{k} {v}" for k, v in pe["pain_peaks"].items())
        click.echo(f"Peak of pain, by moment: {peaks or '-'}")
    for r in result.recoveries:
        if r.difference is None:
            click.echo(f"Recovery {r.id}: not enough data.")
            continue
        verdict = {True: "yes", False: "no", None: "cannot tell yet"}[r.paradox]
        verdict = f"recovery paradox: {verdict}"
        click.echo(
            f"Recovery {r.id}: resolved well ({r.recovered.n}) vs never a problem "
            f"({r.never_a_problem.n}): {r.difference.value:+.1f} [{r.difference.low:+.1f}"
            f", {r.difference.high:+.1f}]; {verdict}"
        )


@click.command("simulate")
@click.argument("journey_id")
@click.option("--customers", type=click.IntRange(min=1, max=2_000_000), required=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option(
    "--truth",
    type=click.Path(dir_okay=False, exists=True),
    help="YAML or JSON: halo, base, noise, moments.<id>.role/glory/pain/response_rate/incidence.",
)
def simulate_command(journey_id, customers, seed, truth):
    """Fill the database with invitations and answers drawn from a stated ground truth.

    Example: surveyapp simulate saas-onboarding --customers 10000 --seed 7 --truth truth.yaml
    """
    import yaml

    from surveyapp.services import simulate

    with open_db() as db:
        found = journey_or_exit(db, journey_id)
        spec = None
        if truth:
            try:
                spec = yaml.safe_load(Path(truth).read_text(encoding="utf-8"))
            except (yaml.YAMLError, UnicodeDecodeError) as exc:
                raise click.ClickException(f"{truth}: not valid YAML or JSON: {exc}") from None
        try:
            summary = simulate.run(db, found, customers=customers, seed=seed, truth=spec)
        except simulate.TruthError as exc:
            raise click.ClickException(f"{truth or 'truth'}: {exc}. Nothing was written.") from None
    roles = ", ".join(f"{k}={v['role']}" for k, v in summary["truth"]["moments"].items())
    click.echo(
        f"simulated {customers} customers, {summary['responses']} responses "
        f"(seed {seed}); truth: {roles}"
    )
