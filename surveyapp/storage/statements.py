"""Running a query: the one way storage modules do it, and the statements they share.

Every query goes through :func:`rows`, :func:`row`, :func:`value`, :func:`stream` or
:func:`execute`, which return one shape (row mappings: ``row["digest"]``) and raise one
kind of error (SQLAlchemy's: a database that goes away is an ``OperationalError`` and the
connection is invalidated). A statement built once for a hot path is declared with
:func:`prepared` (or :func:`once_per_dialect`); ``rows``, ``row``, ``value`` and
``execute`` then run it on the driver's cursor.

Why a fast path at all: SQLAlchemy's execution machinery costs about 15 µs a statement
(``benchmarks/profile_submit.py``), and a submit runs seven. The fast path keeps what
matters of that machinery: the SQL is compiled by SQLAlchemy once per dialect and
parameter names (kept with the statement, so it dies with it), the connection's
transaction is begun as SQLAlchemy begins it (its state is always true), and a driver
error is translated and invalidates a dead connection exactly as SQLAlchemy does
(``DBAPIError.instance`` and ``Dialect.is_disconnect``, both public).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from surveyapp.storage.database import Database, driver_execute, is_postgres

#: What every read returns: a row as a mapping of its column names.
Record = Mapping[str, Any]


def findable(*keys: str | None) -> bool:
    """Whether text from outside can name a stored row: none holds NUL, which no stored
    text does (PostgreSQL refuses it in text; SQLite would keep it). A lookup by such a
    key finds nothing, on both engines alike, without asking the database."""
    return not any(key and "\x00" in key for key in keys)


def starts_with(column, text: str) -> sa.ColumnElement[bool]:
    """``column`` begins with ``text`` (as typed): an index range, so it costs the same
    among a million rows."""
    return sa.and_(column >= text, column < text + "\U0010ffff")


class Prepared:
    """A statement built once (at module level, or per dialect by
    :func:`once_per_dialect`) and run on the driver's cursor: plain text, integer and
    float values, no type processing, no expanding IN."""

    __slots__ = ("statement", "_compiled")

    def __init__(self, statement) -> None:
        self.statement = statement
        self._compiled: dict[tuple, tuple[str, Any, tuple[str, ...] | None]] = {}

    def sql(self, db: Database, params: Mapping[str, Any]) -> tuple[str, Any]:
        """The SQL for this dialect and its parameters in the driver's form."""
        key = (db.dialect.name, tuple(params))
        found = self._compiled.get(key)
        if found is None:
            compiled = self.statement.compile(dialect=db.dialect, column_keys=list(params))
            positions = tuple(compiled.positiontup) if compiled.positional else None
            found = self._compiled[key] = (str(compiled), compiled, positions)
        sql, compiled, positions = found
        values = compiled.construct_params(params)  # with the literals SQLAlchemy bound
        return sql, ([values[name] for name in positions] if positions else values)


def prepared(statement) -> Prepared:
    """Declare a statement built once for a hot path (see the module's docstring)."""
    return Prepared(statement)


def once_per_dialect(build):
    """A statement built on first use for each engine (``build(db)``), then reused with
    new parameters: building SQLAlchemy constructs costs tens of microseconds each (an
    upsert's ``excluded`` copies every column of its table). For the submit path."""
    built: dict[str, Prepared] = {}

    def statement(db: Database) -> Prepared:
        name = db.dialect.name
        found = built.get(name)
        if found is None:
            found = built[name] = Prepared(build(db))
        return found

    return statement


def _fast(db: Database, statement: Prepared, params: Mapping[str, Any] | None):
    if not db.in_transaction():
        db.begin()  # as SQLAlchemy's own autobegin: the driver is in one too
    sql, parameters = statement.sql(db, params or {})
    return driver_execute(db, sql, parameters)


def _names(cursor) -> tuple[str, ...]:
    return tuple(column[0] for column in cursor.description)


def rows(db: Database, statement, params: Mapping[str, Any] | None = None) -> list[Record]:
    """The rows of a SELECT (or of a RETURNING)."""
    if isinstance(statement, Prepared):
        cursor = _fast(db, statement, params)
        names = _names(cursor)
        return [dict(zip(names, found, strict=True)) for found in cursor.fetchall()]
    return list(db.execute(statement, params).mappings())


def row(db: Database, statement, params: Mapping[str, Any] | None = None) -> Record | None:
    """The first row, or None."""
    if isinstance(statement, Prepared):
        cursor = _fast(db, statement, params)
        found = cursor.fetchone()
        return None if found is None else dict(zip(_names(cursor), found, strict=True))
    return db.execute(statement, params).mappings().first()


def stream(db: Database, statement, params: Mapping[str, Any] | None = None) -> Iterator[Record]:
    """The rows of a SELECT one at a time, for reads too large to hold (an export): give
    the statement ``execution_options(yield_per=...)`` and PostgreSQL streams them from a
    server-side cursor."""
    yield from db.execute(statement, params).mappings()


def value(db: Database, statement, params: Mapping[str, Any] | None = None) -> Any:
    """The first column of the first row, or None."""
    if isinstance(statement, Prepared):
        found = _fast(db, statement, params).fetchone()
        return None if found is None else found[0]
    return db.execute(statement, params).scalar()


def execute(
    db: Database, statement, params: Mapping[str, Any] | Sequence[Mapping] | None = None
) -> int:
    """Run a statement that returns no rows (a list of parameters runs it for each);
    the number of rows it changed."""
    if isinstance(statement, Prepared):
        if isinstance(params, Sequence):  # many rows: SQLAlchemy's executemany
            return db.execute(statement.statement, list(params)).rowcount
        return _fast(db, statement, params).rowcount
    return db.execute(statement, params).rowcount


def insert(db: Database, table: sa.Table):
    """An INSERT with this engine's ``on_conflict_do_nothing`` / ``on_conflict_do_update``
    (SQLAlchemy's dialect constructs: the same upsert on both engines)."""
    return (postgresql.insert if is_postgres(db) else sqlite.insert)(table)


def insert_many(db: Database, table: sa.Table, values: Sequence[Mapping[str, Any]]) -> int:
    """Insert rows (each with the same columns); how many. On PostgreSQL by COPY, in the
    transaction: psycopg's executemany sends a statement a row (an import's 4,000-row
    part took 200 ms so), arrays unnested in one statement took 35 ms but a third of it
    in psycopg's Python array dumper, COPY's rows are written by its compiled code
    (benchmarks/imports.py). On SQLite, in the process, executemany is as fast."""
    if not values:
        return 0
    if not is_postgres(db):
        return db.execute(sa.insert(table), list(values)).rowcount
    names = list(values[0])
    columns = ", ".join(f'"{name}"' for name in names)
    copying = f'COPY "{table.name}" ({columns}) FROM STDIN'
    with db.connection.dbapi_connection.cursor() as cursor, cursor.copy(copying) as copy:
        for row in values:
            copy.write_row([row[name] for name in names])
    return len(values)


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
    return [dict(found) for found in rows(db, statement)]


def record(db: Database, statement) -> dict[str, Any] | None:
    found = row(db, statement)
    return dict(found) if found is not None else None


def queue_counts(db: Database, table: sa.Table, since: str) -> dict[str, Any]:
    """A queue whose rows wait while ``next_attempt_at`` is set and are set aside when it
    is not: how many wait, since when the oldest (its ``since`` column), how many are
    set aside (the background work page's figures)."""
    c = table.c
    waiting = c.next_attempt_at.is_not(None)
    found = row(
        db,
        sa.select(
            sa.func.count().filter(waiting).label("waiting"),
            sa.func.min(c[since]).filter(waiting).label("oldest_at"),
            sa.func.count().filter(c.next_attempt_at.is_(None)).label("set_aside"),
        ),
    )
    return dict(found)
