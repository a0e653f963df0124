"""What a journey's managers set in the browser apart from its definition: how their
spreadsheets of customers name their columns, and the one way every such setting is
written (:func:`keep`). The follow-up target and the journey's digest, kept in the same
``journey_settings`` row, are read and set by :mod:`.inbox`, beside the inbox they serve."""

from __future__ import annotations

import json

import sqlalchemy as sa

from surveyapp.storage.audit import record_audit
from surveyapp.storage.database import Database
from surveyapp.storage.statements import execute, insert, value
from surveyapp.storage.tables import journey_settings
from surveyapp.storage.transactions import transaction


def import_columns(db: Database, journey_id: str) -> dict[str, str] | None:
    """The journey's column names, by the column each holds (``customer``, ``email``,
    ``locale``), or None if its manager never said."""
    s = journey_settings.c
    kept = value(db, sa.select(s.import_columns).where(s.journey_id == journey_id))
    return json.loads(kept) if kept else None


def set_import_columns(
    db: Database, journey_id: str, columns: dict[str, str] | None, *, by: str | None
) -> None:
    """Keep (None: forget) the journey's column names, in the audit log too."""
    kept = json.dumps(columns, ensure_ascii=False) if columns else None
    with transaction(db):
        keep(db, journey_id, {"import_columns": kept})
        record_audit(db, by, "journey.import_columns", journey_id, {"columns": columns})


def keep(db: Database, journey_id: str, values: dict) -> None:
    """Set some of a journey's settings (its row made if needed), in the caller's
    transaction: the one way every setting of ``journey_settings`` is written."""
    statement = insert(db, journey_settings).values(journey_id=journey_id, **values)
    execute(db, statement.on_conflict_do_update(index_elements=["journey_id"], set_=values))
