"""Follow-ups of moments of pain, and how many are open per moment (kept in step in the
same transactions, so the dashboard reads a few rows)."""

from __future__ import annotations

import json

from sqlite_utils import Database

from surveyapp.domain.vocabulary import FOLLOWUP_DONE, FOLLOWUP_NEW
from surveyapp.storage.database import immediate, iso, utcnow


def count_open(db: Database, journey_id: str, moment_id: str, delta: int) -> None:
    db.execute(
        "INSERT INTO followup_counts (journey_id, moment_id, open) VALUES (?, ?, ?) "
        "ON CONFLICT (journey_id, moment_id) DO UPDATE SET open = open + excluded.open",
        [journey_id, moment_id, delta],
    )


def open_followup(
    db: Database, response_id: int, journey_id: str, moment_id: str, when: str
) -> None:
    opened = db.execute(
        "INSERT OR IGNORE INTO followups (response_id, journey_id, moment_id, status, "
        "updated_at) VALUES (?, ?, ?, ?, ?)",
        [response_id, journey_id, moment_id, FOLLOWUP_NEW, when],
    ).rowcount
    if opened:
        count_open(db, journey_id, moment_id, 1)


def open_followups(db: Database, journey_id: str) -> dict[str, int]:
    """Per moment, how many moments of pain nobody has resolved yet."""
    rows = db.execute(
        "SELECT moment_id, open FROM followup_counts WHERE journey_id = ? AND open > 0",
        [journey_id],
    )
    return dict(rows.fetchall())


def followups(
    db: Database,
    journey_id: str,
    *,
    status: str | None = None,
    moment_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
):
    """Moments of pain to follow up, newest first, with the response's answers."""
    where, params = ["f.journey_id = ?"], [journey_id]
    if status:
        where.append("f.status = ?")
        params.append(status)
    if moment_id:
        where.append("f.moment_id = ?")
        params.append(moment_id)
    rows = db.query(
        "SELECT f.response_id, f.moment_id, f.status, f.note, f.updated_at, f.updated_by, "  # noqa: S608 # nosec B608
        "r.created_at, r.answers, r.customer_ref, r.locale, r.channel FROM followups f "
        f"JOIN responses r ON r.id = f.response_id WHERE {' AND '.join(where)} "
        "ORDER BY r.created_at DESC, f.response_id DESC LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return [{**row, "answers": json.loads(row["answers"])} for row in rows]


def update_followup(
    db: Database, response_id: int, *, status: str, note: str | None, by: str
) -> bool:
    """Set a follow-up's status and note; False if there is no such follow-up."""
    with immediate(db):
        row = db.execute(
            "SELECT journey_id, moment_id, status FROM followups WHERE response_id = ?",
            [response_id],
        ).fetchone()
        if row is None:
            return False
        journey_id, moment_id, old = row
        db.execute(
            "UPDATE followups SET status = ?, note = ?, updated_at = ?, updated_by = ? "
            "WHERE response_id = ?",
            [status, note, iso(utcnow()), by, response_id],
        )
        was_open, is_open = old != FOLLOWUP_DONE, status != FOLLOWUP_DONE
        if was_open != is_open:
            count_open(db, journey_id, moment_id, 1 if is_open else -1)
    return True
