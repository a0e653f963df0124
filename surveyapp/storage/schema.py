"""Bringing a database's schema up to date: Alembic's migrations (``migrations/``), on
SQLite and PostgreSQL alike.

Opening a database runs this; when the schema is already current it costs one query.
A SQLite file made before Alembic (it has sqlite-utils' ``_sqlite_migrations`` table)
is first finished by :mod:`.legacy` and then stamped with the baseline revision, so an
existing installation upgrades in place with its data.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from surveyapp.storage.database import (
    Database,
    connect,
    database_url,
    is_postgres,
    lock,
    transaction,
)

MIGRATIONS = Path(__file__).parent / "migrations"
BASELINE = "0001"
LEGACY_TABLE = "_sqlite_migrations"


def open_database(target: str | Path) -> Database:
    """Open (creating a SQLite file if needed) the database and bring its schema up to
    date."""
    url = database_url(target)
    if url.drivername.startswith("sqlite"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    db = connect(target)
    if not is_postgres(db):
        db.exec_driver_sql("PRAGMA journal_mode = WAL")
    upgrade(db)
    return db


def _config(db: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = db
    return config


@cache
def head() -> str:
    """The newest revision this code knows."""
    return ScriptDirectory.from_config(_config(None)).get_current_head()


def current(db: Database) -> str | None:
    """The database's revision, or None if Alembic never ran on it."""
    revision = MigrationContext.configure(db).get_current_revision()
    if db.in_transaction() and not db.info.get("writing"):
        db.commit()  # the read above must not hold a transaction open
    return revision


def upgrade(db: Database) -> bool:
    """Run the migrations this database lacks, in one transaction; True if any ran.

    Several nodes starting at once on one PostgreSQL database take turns (an advisory
    lock), and the second finds nothing left to do.
    """
    if current(db) == head():
        return False
    with transaction(db):
        lock(db, "surveyapp-migrations")
        revision = MigrationContext.configure(db).get_current_revision()
        if revision == head():
            return False
        if revision is None and not is_postgres(db) and sa.inspect(db).has_table(LEGACY_TABLE):
            from surveyapp.storage import legacy

            legacy.finish(db)
            command.stamp(_config(db), BASELINE)
        command.upgrade(_config(db), "head")
    return True
