"""``surveyapp serve|backup|restore|demo``: running the service, backing it up and
restoring it, trying it out."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import click

from surveyapp import settings, storage
from surveyapp.cli.common import open_db
from surveyapp.services import digest, mailer
from surveyapp.workers import replication, rounds, supervisor


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", type=click.IntRange(min=1), help="Default: 2 x cores + 1.")
def serve_command(host, port, workers):
    """Serve the service with gunicorn, with production settings, until stopped.

    Example: surveyapp serve --port 8000 --workers 5
    """
    from surveyapp.web import server
    from surveyapp.web.app import create_app

    app = create_app()  # a ConfigurationError is the CLI's one line (cli/__init__.py)
    # The webhook worker, the jobs worker (exports and imports), the sending worker (if
    # email is set up) and the digest (if DIGEST_TO is set, or journeys set theirs) run
    # beside the web workers, supervised (workers/supervisor.py), and stop with them: our
    # own interpreter with fixed arguments, nothing from outside.
    tasks = {"webhooks": ["webhook", "deliver", "--loop"], "jobs": ["jobs", "--loop"]}
    can_mail = True
    try:  # the emails the admin pages queue, if the service can send email at all
        mailer.SmtpSettings.from_config(app.config)
        tasks["mail"] = ["send", "--queued", "--loop"]
    except mailer.MailConfigError:
        can_mail = False  # the admin pages say sending needs MAIL_FROM, and make links only
    if digest.recipients(app.config):
        try:  # a digest worker that cannot send would only say so in the log, once
            digest.settings(app.config)
            mailer.SmtpSettings.from_config(app.config)
        except mailer.MailConfigError as exc:
            raise click.ClickException(f"Cannot send the digest: {exc}.") from None
    if can_mail:  # DIGEST_TO's digest, and the journeys' own, set in the browser
        tasks["digest"] = ["digest", "--loop"]
    commands = {name: [sys.executable, "-m", "surveyapp.cli", *t] for name, t in tasks.items()}
    try:
        url = replication.replica_url(app.config)
        if url:  # every change of the database reaches the replica within about a second
            commands["replication"] = replication.replicate_command(app.config["DATABASE"], url)
    except replication.ReplicationError as exc:
        raise click.ClickException(f"Cannot replicate the database: {exc}.") from None
    # This node's name, for its workers' heartbeats and its web workers' /readyz.
    os.environ[rounds.NODE_VARIABLE] = f"{socket.gethostname()}:{port}:{os.getpid()}"
    os.environ[rounds.WORKERS_VARIABLE] = ",".join(tasks)  # litestream does not beat
    background = supervisor.Supervisor(commands)
    background.start()
    try:
        server.serve(app, host=host, port=port, workers=workers or server.default_workers())
    finally:
        background.stop()


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False))
def backup_command(target):
    """Copy the database while the service runs, with SQLite's online backup.

    Example: surveyapp backup /var/backups/surveyapp-$(date +%F).db
    """
    if Path(target).exists():
        raise click.ClickException(f"{target} exists already: choose a new file name.")
    with open_db() as db:
        pages = storage.backup(db, target)
    click.echo(f"backed up {pages} pages to {target}")


@click.command("restore")
@click.option("--to", "target", type=click.Path(dir_okay=False), help="Default: DATABASE.")
@click.option("--force", is_flag=True, help="Overwrite an existing database file.")
def restore_command(target, force):
    """Bring the database back from its replica (REPLICA_URL), after losing the machine.

    Example: SURVEYAPP_REPLICA_URL=s3://backups/surveyapp surveyapp restore
    """
    config = settings.load_settings()
    try:
        url = replication.replica_url(config)
        if url is None:
            raise replication.ReplicationError("REPLICA_URL is not set")
        replication.restore(url, target or config["DATABASE"], force=force)
    except replication.ReplicationError as exc:
        raise click.ClickException(f"Cannot restore: {exc}.") from None
    click.echo(f"restored {target or config['DATABASE']} from {url}")


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def demo_command(host, port):
    """Serve two example journeys on a throwaway instance until Ctrl-C."""
    from surveyapp.cli import demo

    demo.run(host=host, port=port)
