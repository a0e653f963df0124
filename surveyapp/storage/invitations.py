"""Personal invitations (links with a single-use token) and opted-out customers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from surveyapp.storage.database import iso, record, records, utcnow
from surveyapp.storage.journeys import journey_of

INVITATION_COLUMNS = (
    "id",
    "token",
    "journey_id",
    "moment_id",
    "customer_ref",
    "email",
    "locale",
    "created_at",
    "expires_at",
    "sent_at",
    "send_attempts",
    "last_error",
    "reminded_at",
    "answered_at",
)


def insert_invitations(db: Database, rows: list[tuple]) -> None:
    """Insert (token, journey, moment, customer, email, locale, created, expires) rows."""
    db.conn.executemany(
        "INSERT INTO invitations (token, journey_id, moment_id, customer_ref, email, locale, "
        "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def _chunks(items: list, size: int = 500) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def recent_invitations(
    db: Database, customer_refs: list[str], since: datetime
) -> list[tuple[str, str, str]]:
    """(customer, journey, moment) of each invitation these customers got since ``since``."""
    found: list[tuple[str, str, str]] = []
    for chunk in _chunks(customer_refs):
        marks = ", ".join("?" for _ in chunk)
        found += db.execute(
            f"SELECT customer_ref, journey_id, moment_id FROM invitations "  # noqa: S608 # nosec B608
            f"WHERE customer_ref IN ({marks}) AND created_at >= ?",
            [*chunk, iso(since)],
        ).fetchall()
    return found


def opted_out(db: Database, customer_hashes: list[str]) -> set[str]:
    """Which of these customers asked never to be surveyed again."""
    found: set[str] = set()
    for chunk in _chunks(customer_hashes):
        marks = ", ".join("?" for _ in chunk)
        found |= {
            row[0]
            for row in db.execute(
                f"SELECT customer_hash FROM optouts WHERE customer_hash IN ({marks})",  # noqa: S608 # nosec B608
                chunk,
            )
        }
    return found


def add_optout(db: Database, customer_hash: str) -> None:
    with db.atomic():
        db.execute(
            "INSERT OR IGNORE INTO optouts (customer_hash, created_at) VALUES (?, ?)",
            [customer_hash, iso(utcnow())],
        )


def get_invitation(db: Database, token: str) -> dict[str, Any] | None:
    return record(db, "invitations", INVITATION_COLUMNS, "WHERE token = ?", [token])


_INVITATION_AND_JOURNEY = (
    f"SELECT {', '.join(f'i.{c}' for c in INVITATION_COLUMNS)}, j.digest, j.definition "  # noqa: S608 # nosec B608
    "FROM invitations i JOIN journeys j ON j.id = i.journey_id WHERE i.token = ?"
)


def get_invitation_and_journey(db: Database, token: str):
    """An invitation and its journey, in one query (a survey link's every request)."""
    row = db.execute(_INVITATION_AND_JOURNEY, [token]).fetchone()
    if row is None:
        return None
    invitation = dict(zip(INVITATION_COLUMNS, row[:-2], strict=True))
    return invitation, journey_of(row[-2], row[-1])


def invitations_to_send(
    db: Database,
    *,
    now: datetime,
    retry: bool,
    journey_id: str | None = None,
    tokens: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Invitations with an email, not sent, unanswered and unexpired.

    Without ``retry`` only those never tried; with it, also those that failed.
    """
    where = ["email IS NOT NULL", "sent_at IS NULL", "answered_at IS NULL", "expires_at > ?"]
    params: list[Any] = [iso(now)]
    if not retry:
        where.append("send_attempts = 0")
    if journey_id:
        where.append("journey_id = ?")
        params.append(journey_id)
    if tokens is None:
        return records(
            db,
            "invitations",
            INVITATION_COLUMNS,
            f"WHERE {' AND '.join(where)} ORDER BY id",
            params,
        )
    rows: list[dict[str, Any]] = []
    for chunk in _chunks(tokens):  # only these: never read every unsent invitation
        marks = ", ".join("?" for _ in chunk)
        rows += records(
            db,
            "invitations",
            INVITATION_COLUMNS,
            f"WHERE {' AND '.join(where)} AND token IN ({marks}) ORDER BY id",
            [*params, *chunk],
        )
    return rows


def mark_sent(db: Database, token: str, *, reminder: bool = False) -> None:
    column = "reminded_at" if reminder else "sent_at"
    with db.atomic():
        db.execute(
            f"UPDATE invitations SET {column} = ?, last_error = NULL, "  # noqa: S608 # nosec B608
            "send_attempts = send_attempts + 1 WHERE token = ?",
            [iso(utcnow()), token],
        )


def mark_send_failed(db: Database, token: str, error: str) -> None:
    with db.atomic():
        db.execute(
            "UPDATE invitations SET last_error = ?, send_attempts = send_attempts + 1 "
            "WHERE token = ?",
            [error[:500], token],
        )


def reminders_due(db: Database, journey_id: str, *, older_than: datetime, now: datetime):
    """Sent, unanswered, unexpired, never reminded invitations older than ``older_than``."""
    return records(
        db,
        "invitations",
        INVITATION_COLUMNS,
        "WHERE journey_id = ? AND answered_at IS NULL AND sent_at IS NOT NULL "
        "AND reminded_at IS NULL AND email IS NOT NULL AND expires_at > ? AND created_at <= ? "
        "ORDER BY id",
        [journey_id, iso(now), iso(older_than)],
    )


def forget_customer(db: Database, customer_ref: str) -> tuple[int, int]:
    """Erase a customer's reference and email; their anonymous answers still count."""
    with db.atomic():
        invitations = db.execute(
            "UPDATE invitations SET customer_ref = NULL, email = NULL WHERE customer_ref = ?",
            [customer_ref],
        ).rowcount
        responses = db.execute(
            "UPDATE responses SET customer_ref = NULL WHERE customer_ref = ?", [customer_ref]
        ).rowcount
    return invitations, responses
