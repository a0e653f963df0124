"""Email digests: how far each has reported, and the negative responses it has not."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from surveyapp.storage.database import iso, utcnow


def negative_responses_after(
    db: Database, after_id: int, *, since: str | None = None, limit: int = 50
) -> tuple[list[dict[str, Any]], int, int]:
    """Negative responses with an id above ``after_id`` (and, with ``since``, created then
    or later), oldest first: at most ``limit`` of them, how many there are in all, and
    the highest id among them all (0 if none)."""
    where = "WHERE id > ? AND polarity = 'negative'" + (" AND created_at >= ?" if since else "")
    params: list[Any] = [after_id, since] if since else [after_id]
    total, last_id = db.execute(
        f"SELECT COUNT(*), COALESCE(MAX(id), 0) FROM responses {where}",  # noqa: S608 # nosec B608
        params,
    ).fetchone()
    keys = ("id", "journey_id", "moment_id", "created_at", "answers", "customer_ref")
    rows = db.execute(
        f"SELECT {', '.join(keys)} FROM responses {where} ORDER BY id LIMIT ?",  # noqa: S608 # nosec B608
        [*params, limit],
    )
    found = []
    for row in rows:
        item = dict(zip(keys, row, strict=True))
        item["answers"] = json.loads(item["answers"])
        found.append(item)
    return found, total, last_id


def digest_mark(db: Database, name: str) -> int | None:
    """The last response the digest ``name`` reported, or None before its first one."""
    row = db.execute("SELECT last_response_id FROM digest_marks WHERE name = ?", [name]).fetchone()
    return row[0] if row else None


def set_digest_mark(db: Database, name: str, last_response_id: int) -> None:
    with db.atomic():
        db.execute(
            "INSERT INTO digest_marks (name, last_response_id, sent_at) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET last_response_id = excluded.last_response_id, "
            "sent_at = excluded.sent_at",
            [name, last_response_id, iso(utcnow())],
        )
