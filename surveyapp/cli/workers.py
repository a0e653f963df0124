"""``surveyapp workers``: what the background workers are doing, from any node;
``surveyapp jobs``: the worker that runs exports and imports."""

from __future__ import annotations

import click

from surveyapp import settings, storage
from surveyapp.cli.common import database, open_db, warn
from surveyapp.services import background
from surveyapp.workers import jobs as job_worker
from surveyapp.workers import rounds


def _ago(now, then) -> str:
    return f"{(now - then).total_seconds():.0f} s ago" if then else "-"


@click.command("workers")
def workers_command():
    """Each background worker's heartbeat on each node, and each queue's depth.

    Example: surveyapp workers
    """
    config = settings.load_settings()
    now = storage.utcnow()
    with open_db() as db:
        found, queues = background.state(db, now=now, stale_seconds=config["WORKER_STALE_SECONDS"])
    click.echo("node\tworker\tpid\tlast beat\trounds\tfailures\trestarts\tstate\tlast error")
    for w in found:
        click.echo(
            f"{w.node}\t{w.name}\t{w.pid}\t{_ago(now, w.beat_at)}\t{w.rounds}\t{w.failures}\t"
            f"{w.restarts}\t{'LATE' if w.late else 'ok'}\t{w.last_error or '-'}"
        )
    if not found:
        click.echo("(no worker has beaten in the last day: is `surveyapp serve` running?)")
    click.echo("\nqueue\twaiting\toldest\tset aside")
    for q in queues:
        click.echo(f"{q.name}\t{q.waiting}\t{_ago(now, q.oldest_at)}\t{q.set_aside}")


@click.command("jobs")
@click.option("--loop", is_flag=True, help="Keep running jobs as they come (the worker).")
@click.option("--interval", default=1.0, show_default=True, type=float)
def jobs_command(loop, interval):
    """Run the exports and imports managers asked for in the browser.

    Example: surveyapp jobs
    """
    config = settings.load_settings()

    def run(db):
        ran = job_worker.run_due(db, config)
        if ran or not loop:
            click.echo(f"ran {ran} job(s)", err=loop)

    rounds.run(run, name="jobs", database=database(), loop=loop, interval=interval, warn=warn)
