"""The audit log: every change an admin makes to the service's administration."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from surveyapp.storage.database import Database, iso, utcnow
from surveyapp.storage.statements import execute, records, value
from surveyapp.storage.tables import audit_log
from surveyapp.storage.transactions import transaction


def record_audit(
    db: Database, actor: str | None, action: str, target: str, detail: dict | None = None
) -> None:
    """Keep one change (in the caller's transaction when there is one)."""
    with transaction(db):
        execute(
            db,
            sa.insert(audit_log).values(
                at=iso(utcnow()),
                actor=actor,
                action=action,
                target=target,
                detail=json.dumps(detail, ensure_ascii=False) if detail else None,
            ),
        )


def audit_page(db: Database, *, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """A page of the log, newest first, and how many entries there are."""
    a = audit_log.c
    total = value(db, sa.select(sa.func.count()).select_from(audit_log))
    rows = records(
        db,
        sa.select(a.at, a.actor, a.action, a.target, a.detail)
        .order_by(a.id.desc())
        .limit(limit)
        .offset(offset),
    )
    for row in rows:
        row["detail"] = json.loads(row["detail"] or "{}")
    return rows, total
