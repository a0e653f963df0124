"""Moving an installation: every table copied from one database to another (a SQLite
file to PostgreSQL, or back), ids kept, sequences set, counts verified."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from surveyapp.domain.errors import Conflict
from surveyapp.storage.database import Database, is_postgres
from surveyapp.storage.tables import metadata
from surveyapp.storage.transactions import snapshot, transaction

#: Rows read and written at a time: memory stays flat however large the installation.
BATCH = 2000


class CopyRefused(Conflict):
    """The target is not empty, or the copy does not match its source; nothing is kept."""


@dataclass(frozen=True)
class Copied:
    table: str
    rows: int


def _count(db: Database, table: sa.Table) -> int:
    return db.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def copy_database(source: Database, target: Database) -> list[Copied]:
    """Copy every row of ``source`` into the empty ``target`` (both migrated to the same
    revision), in one transaction on the target, from one snapshot of the source; the
    rows of each table, verified against the source. Refuses a target with any row."""
    filled = [t.name for t in metadata.sorted_tables if _count(target, t)]
    if filled:
        raise CopyRefused(
            f"the target is not empty ({', '.join(filled)} already hold rows): "
            "copy into a new, empty database"
        )
    if target.in_transaction():
        target.commit()
    counts: list[Copied] = []
    with snapshot(source), transaction(target):
        for table in metadata.sorted_tables:  # parents before children (foreign keys)
            statement = (
                sa.select(table)
                .order_by(*table.primary_key.columns)
                .execution_options(yield_per=BATCH)
            )
            rows = 0
            for batch in source.execute(statement).mappings().partitions(BATCH):
                target.execute(sa.insert(table), [dict(row) for row in batch])
                rows += len(batch)
            if rows != _count(source, table) or rows != _count(target, table):
                raise CopyRefused(f"{table.name}: the copy does not match its source")
            counts.append(Copied(table.name, rows))
        if is_postgres(target):
            _set_sequences(target)
    return counts


def _set_sequences(db: Database) -> None:
    """Make PostgreSQL's id sequences continue after the copied ids."""
    for table in metadata.sorted_tables:
        column = table.autoincrement_column
        if column is None:
            continue
        highest = db.execute(sa.select(sa.func.max(column))).scalar_one()
        if highest is not None:
            sequence = sa.func.pg_get_serial_sequence(table.name, column.name)
            db.execute(sa.select(sa.func.setval(sequence, highest)))
