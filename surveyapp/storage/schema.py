"""Bringing a database's schema up to date: Alembic's migrations (``migrations/``), on
SQLite and PostgreSQL alike.

Opening a database runs this; when the schema is already current it costs one query and
Alembic is not even imported (it weighs 10 MB in every worker). A SQLite file made
before Alembic (it has sqlite-utils' ``_sqlite_migrations`` table) is first finished by
:mod:`.legacy` and then stamped with the baseline revision, so an existing installation
upgrades in place with its data.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from surveyapp.storage.database import Database, connect, database_url, is_postgres
from surveyapp.storage.transactions import lock, transaction

MIGRATIONS = Path(__file__).parent / "migrations"
#: The newest revision in ``migrations/versions`` (a test checks it is Alembic's head).
HEAD = "0022"
BASELINE = "0001"
LEGACY_TABLE = "_sqlite_migrations"
_VERSION = sa.table("alembic_version", sa.column("version_num", sa.Text))


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


def _config(db: Database | None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = db
    return config


def head() -> str:
    """The newest revision Alembic finds in ``migrations/versions``."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config(None)).get_current_head()


def current(db: Database) -> str | None:
    """The database's revision, or None if Alembic never ran on it."""
    revision = None
    if sa.inspect(db).has_table("alembic_version"):
        revision = db.execute(sa.select(_VERSION.c.version_num)).scalar()
    if db.in_transaction() and not db.info.get("writing"):
        db.commit()  # the read above must not hold a transaction open
    return revision


def upgrade(db: Database) -> bool:
    """Run the migrations this database lacks, in one transaction; True if any ran.

    Several nodes starting at once on one PostgreSQL database take turns (an advisory
    lock), and the second finds nothing left to do.
    """
    if not db.info.get("writing") and current(db) == HEAD:
        return False
    from alembic import command

    with transaction(db):
        lock(db, "surveyapp-migrations")
        revision = current(db)
        if revision == HEAD:
            return False
        if revision is None and not is_postgres(db) and sa.inspect(db).has_table(LEGACY_TABLE):
            from surveyapp.storage import legacy

            legacy.finish(db)
            command.stamp(_config(db), BASELINE)
        command.upgrade(_config(db), "head")
    return True
