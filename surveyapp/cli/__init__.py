"""The ``surveyapp`` command: a thin click layer over the services, workers and storage.

One module per command group; this one gathers them.
"""

from __future__ import annotations

import click

from surveyapp.cli import (
    accounts,
    comments,
    customers,
    database,
    digest,
    insights,
    integrations,
    invitations,
    journeys,
    serve,
    surveys,
    translations,
    workers,
)


class _Commands(click.Group):
    """The command group, the CLI's face of every error: a refusal of the service
    (domain/errors.py; an unreachable database and a wrong setting are two) is one line on
    stderr and exit status 1, from every command."""

    def invoke(self, ctx):
        from surveyapp.domain.errors import Refusal

        try:
            return super().invoke(ctx)
        except Refusal as exc:
            where = "; ".join(f"{p.path}: {p.reason}" for p in exc.problems)
            raise click.ClickException(f"{exc} ({where})" if where else str(exc)) from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
def cli():
    """Short localized surveys for each moment of truth of a customer journey.

    Settings come from instance/config.py and SURVEYAPP_* environment variables
    (SURVEYAPP_DATABASE, SURVEYAPP_BASE_URL, SURVEYAPP_SECRET_KEY, ...).
    """


for command in (
    journeys.journey,
    surveys.survey,
    surveys.scores_command,
    invitations.invite_command,
    invitations.send_command,
    invitations.remind_command,
    customers.forget_command,
    customers.customer_data_command,
    customers.retention_command,
    invitations.qr_command,
    accounts.admin,
    insights.insights_command,
    insights.simulate_command,
    comments.terms_command,
    integrations.apikey,
    integrations.webhook,
    digest.digest_command,
    serve.serve_command,
    serve.backup_command,
    serve.restore_command,
    serve.demo_command,
    workers.workers_command,
    workers.jobs_command,
    database.db_group,
    translations.translate,
):
    cli.add_command(command)


def main() -> None:
    """The console script's entry point."""
    cli(prog_name="surveyapp")
