"""What customers said: a moment's free-text answers, listed and searched."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def comments(
    db: Database,
    journey_id: str,
    moment_id: str,
    *,
    polarity: str | None = None,
    search: str | None = None,
    limit: int = 50,
    offset: int = 0,
):
    """What customers said about a moment, newest first."""
    where = ["journey_id = ?", "moment_id = ?", "comment IS NOT NULL"]
    params: list[Any] = [journey_id, moment_id]
    if polarity:
        where.append("polarity = ?")
        params.append(polarity)
    if search:
        where.append("comment LIKE ? ESCAPE '\\'")
        params.append(_like(search))
    return list(
        db.query(
            "SELECT id, created_at, polarity, comment, locale, channel, customer_ref "  # noqa: S608 # nosec B608
            f"FROM responses WHERE {' AND '.join(where)} ORDER BY created_at DESC, id DESC "
            "LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
    )
