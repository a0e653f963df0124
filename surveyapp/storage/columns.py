"""What every table description shares: one MetaData, and the column kinds."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

#: Row ids that may outgrow 32 bits on PostgreSQL; on SQLite an INTEGER PRIMARY KEY, the
#: rowid itself.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def text_column(name: str, *args, nullable: bool = False, **kwargs) -> sa.Column:
    """A text column, NOT NULL unless ``nullable``."""
    return sa.Column(name, sa.Text, *args, nullable=nullable, **kwargs)


def int_column(name: str, *args, nullable: bool = False, **kwargs) -> sa.Column:
    """An integer column, NOT NULL unless ``nullable``."""
    return sa.Column(name, sa.Integer, *args, nullable=nullable, **kwargs)
