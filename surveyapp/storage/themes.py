"""The themes of a journey's comments, stored: listed, added, changed and removed, each
change in the audit log."""

from __future__ import annotations

import json

import sqlalchemy as sa

from surveyapp.domain.themes import Theme
from surveyapp.storage.audit import record_audit
from surveyapp.storage.database import Database, iso, utcnow
from surveyapp.storage.statements import records, value
from surveyapp.storage.tables import themes
from surveyapp.storage.transactions import transaction


def list_themes(db: Database, journey_id: str) -> list[Theme]:
    """The journey's themes, oldest first."""
    t = themes.c
    found = records(
        db,
        sa.select(t.id, t.names, t.words).where(t.journey_id == journey_id).order_by(t.id),
    )
    return [Theme(r["id"], json.loads(r["names"]), json.loads(r["words"])) for r in found]


def count_themes(db: Database, journey_id: str) -> int:
    """How many themes the journey has."""
    return value(db, sa.select(sa.func.count()).where(themes.c.journey_id == journey_id))


def save_theme(db: Database, journey_id: str, theme: Theme, *, by: str | None) -> int:
    """Add ``theme`` (its id None) or change the stored one; its id. A theme id of
    another journey changes nothing and gives None."""
    columns = {
        "names": json.dumps(theme.names, ensure_ascii=False),
        "words": json.dumps(theme.words, ensure_ascii=False),
        "updated_at": iso(utcnow()),
        "updated_by": by,
    }
    detail = {"names": theme.names, "words": theme.words}
    with transaction(db):
        if theme.id is None:
            theme_id = value(
                db,
                sa.insert(themes).values(journey_id=journey_id, **columns).returning(themes.c.id),
            )
            record_audit(db, by, "theme.added", journey_id, detail)
            return theme_id
        changed = value(
            db,
            sa.update(themes)
            .where(themes.c.id == theme.id, themes.c.journey_id == journey_id)
            .values(**columns)
            .returning(themes.c.id),
        )
        if changed is not None:
            record_audit(db, by, "theme.changed", journey_id, detail)
        return changed


def delete_theme(db: Database, journey_id: str, theme_id: int, *, by: str | None) -> bool:
    """Remove a theme of the journey; whether there was one."""
    with transaction(db):
        gone = value(
            db,
            sa.delete(themes)
            .where(themes.c.id == theme_id, themes.c.journey_id == journey_id)
            .returning(themes.c.names),
        )
        if gone is not None:
            record_audit(db, by, "theme.removed", journey_id, {"names": json.loads(gone)})
    return gone is not None
