"""What a journey's managers set once for its spreadsheets: how their files of customers
name their columns. (The follow-up target and the journey's digest, also kept in
``journey_settings``, are read and set by :mod:`.inbox`, beside the inbox they serve.)"""

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
    statement = insert(db, journey_settings).values(journey_id=journey_id, import_columns=kept)
    with transaction(db):
        execute(
            db,
            statement.on_conflict_do_update(
                index_elements=["journey_id"], set_={"import_columns": kept}
            ),
        )
        record_audit(db, by, "journey.import_columns", journey_id, {"columns": columns})
