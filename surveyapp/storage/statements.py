"""Statements: upserts per dialect, statements built once and run on the driver's cursor
for the hot paths, rows as dicts, and which outside text can name a stored row."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from surveyapp.storage.database import Database, is_postgres


def findable(*keys: str | None) -> bool:
    """Whether text from outside can name a stored row: none holds NUL, which no stored
    text does (PostgreSQL refuses it in text; SQLite would keep it). A lookup by such a
    key finds nothing, on both engines alike, without asking the database."""
    return not any(key and "\x00" in key for key in keys)


def once_per_dialect(build):
    """A statement built on first use for each engine (``build(db)``), then reused with
    new parameters: building SQLAlchemy constructs costs tens of microseconds each (an
    upsert's ``excluded`` copies every column of its table), and a statement built once
    finds its compiled form in the engine's cache at once. For the submit path."""
    built: dict[str, Any] = {}

    def statement(db: Database):
        name = db.dialect.name
        found = built.get(name)
        if found is None:
            found = built[name] = build(db)
        return found

    return statement


_compiled: dict[tuple, tuple[str, Any, tuple[str, ...] | None]] = {}


def run(db: Database, statement, params: dict[str, Any]):
    """Execute a statement built once (module level or :func:`once_per_dialect`) on the
    driver's own cursor, in the connection's transaction; the cursor.

    SQLAlchemy still writes the SQL, compiled once per dialect and parameter set; only
    its execution machinery is skipped, which costs about 0.1 ms a statement and made a
    submit (seven statements) half as fast as before SQLAlchemy. For the hot paths only
    (submits, survey pages, API authentication): plain text, integer and float values,
    no type processing, no expanding IN.
    """
    key = (db.dialect.name, id(statement), tuple(params))
    found = _compiled.get(key)
    if found is None:
        compiled = statement.compile(dialect=db.dialect, column_keys=list(params))
        positions = tuple(compiled.positiontup) if compiled.positional else None
        found = _compiled[key] = (str(compiled), compiled, positions)
    sql, compiled, positions = found
    values = compiled.construct_params(params)  # with the literals SQLAlchemy bound
    cursor = db.connection.driver_connection.cursor()
    cursor.execute(sql, [values[name] for name in positions] if positions else values)
    return cursor


def insert(db: Database, table: sa.Table):
    """An INSERT with this engine's ``on_conflict_do_nothing`` / ``on_conflict_do_update``
    (SQLAlchemy's dialect constructs: the same upsert on both engines)."""
    return (postgresql.insert if is_postgres(db) else sqlite.insert)(table)


def counting_upsert(table: sa.Table, key: tuple[str, ...], counts: tuple[str, ...]):
    """A builder for :func:`once_per_dialect`: insert a row of ``table`` or, if its
    ``key`` is there, add the row's ``counts`` to it (a tally's upsert)."""

    def build(db: Database):
        statement = insert(db, table)
        return statement.on_conflict_do_update(
            index_elements=list(key),
            set_={c: table.c[c] + statement.excluded[c] for c in counts},
        )

    return build


def records(db: Database, statement) -> list[dict[str, Any]]:
    """The rows of a SELECT as dicts."""
    return [dict(row) for row in db.execute(statement).mappings()]


def record(db: Database, statement) -> dict[str, Any] | None:
    row = db.execute(statement).mappings().first()
    return dict(row) if row is not None else None
