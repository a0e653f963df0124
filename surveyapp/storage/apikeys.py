"""API keys (hashes only), their rate-limit buckets, and idempotent replies."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from surveyapp.storage.database import iso, record, records, utcnow

API_KEY_COLUMNS = ("id", "name", "key_hash", "prefix", "created_at", "revoked_at")


def insert_api_key(db: Database, name: str, key_hash: str, prefix: str) -> None:
    with db.atomic():
        db.execute(
            "INSERT INTO api_keys (name, key_hash, prefix, created_at) VALUES (?, ?, ?, ?)",
            [name, key_hash, prefix, iso(utcnow())],
        )


def api_key_by_hash(db: Database, key_hash: str) -> dict[str, Any] | None:
    return record(
        db, "api_keys", API_KEY_COLUMNS, "WHERE key_hash = ? AND revoked_at IS NULL", [key_hash]
    )


def list_api_keys(db: Database) -> list[dict[str, Any]]:
    return records(db, "api_keys", API_KEY_COLUMNS, "ORDER BY name")


def revoke_api_key(db: Database, name: str) -> bool:
    with db.atomic():
        return (
            db.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                [iso(utcnow()), name],
            ).rowcount
            > 0
        )


def take_token(db: Database, key_id: int, *, rate: float, burst: float, now: float) -> float:
    """Take one request from the key's bucket; the tokens left (negative: over the limit)."""
    with db.atomic():
        row = db.execute(
            "INSERT INTO api_buckets (key_id, tokens, updated) VALUES (?, ? - 1, ?) "
            "ON CONFLICT (key_id) DO UPDATE SET tokens = MIN(?, tokens + (excluded.updated - "
            "updated) * ?) - 1, updated = excluded.updated RETURNING tokens",
            [key_id, burst, now, burst, rate],
        ).fetchone()
    return row[0]


def get_idempotent(db: Database, key_id: int, idempotency_key: str):
    return db.execute(
        "SELECT request_hash, status, body FROM idempotency WHERE key_id = ? "
        "AND idempotency_key = ?",
        [key_id, idempotency_key],
    ).fetchone()


def save_idempotent(
    db: Database, key_id: int, idempotency_key: str, request_hash: str, status: int, body: str
) -> None:
    db.execute(
        "INSERT OR IGNORE INTO idempotency (key_id, idempotency_key, request_hash, "
        "status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        [key_id, idempotency_key, request_hash, status, body, iso(utcnow())],
    )
