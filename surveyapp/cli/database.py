"""``surveyapp db``: which database the service uses, and moving an installation to
another one (SQLite to PostgreSQL, or back)."""

from __future__ import annotations

import time

import click

from surveyapp import settings, storage
from surveyapp.storage import schema


@click.group("db")
def db_group():
    """The database: its state, and copying it to another one."""


@db_group.command("status")
def db_status():
    """Say which database is used, its schema revision and what it holds.

    Example: surveyapp db status
    """
    target = settings.load_settings()["DATABASE"]
    with storage.open_database(target) as db:
        click.echo(f"database: {storage.describe(target)}")
        click.echo(f"engine: {db.dialect.name}, schema revision {schema.current(db)}")
        click.echo(f"responses: {storage.responses.count_responses(db)}")


@db_group.command("copy")
@click.option(
    "--to", "target", required=True, help="An empty database: a postgresql:// URL or a file."
)
@click.option("--from", "source", help="Default: the service's DATABASE.")
def db_copy(target, source):
    """Copy the whole installation into an empty database, ids and counts kept.

    Stop the service first (or writes made during the copy stay behind); then point
    SURVEYAPP_DATABASE at the target and start it again (docs/deployment.md).

    Example: surveyapp db copy --to postgresql://surveyapp:secret@db.internal/surveyapp
    """
    source = source or settings.load_settings()["DATABASE"]
    if storage.describe(source) == storage.describe(target):
        raise click.ClickException("The source and the target are the same database.")
    started = time.monotonic()
    with storage.open_database(source) as origin, storage.open_database(target) as copy:
        try:
            copied = storage.copy.copy_database(origin, copy)
        except storage.copy.CopyRefused as exc:
            raise click.ClickException(f"Nothing was copied: {exc}.") from None
    for item in copied:
        click.echo(f"{item.table:20} {item.rows:>10} rows")
    seconds = time.monotonic() - started
    click.echo(
        f"copied {sum(i.rows for i in copied)} rows from {storage.describe(source)} to "
        f"{storage.describe(target)} in {seconds:.1f} s; every table's count verified"
    )
