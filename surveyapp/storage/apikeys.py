"""API keys (hashes only), their rate-limit buckets, and idempotent replies."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from surveyapp.storage.database import Database, iso, utcnow
from surveyapp.storage.statements import (
    Record,
    execute,
    insert,
    once_per_dialect,
    prepared,
    records,
    row,
    value,
)
from surveyapp.storage.tables import api_buckets, api_keys, idempotency
from surveyapp.storage.transactions import transaction

API_KEY_COLUMNS = (
    "id",
    "name",
    "key_hash",
    "prefix",
    "created_at",
    "revoked_at",
    "last_used_at",
)
_KEY = sa.select(*(api_keys.c[name] for name in API_KEY_COLUMNS))


def insert_api_key(db: Database, name: str, key_hash: str, prefix: str) -> None:
    with transaction(db):
        execute(
            db,
            sa.insert(api_keys).values(
                name=name, key_hash=key_hash, prefix=prefix, created_at=iso(utcnow())
            ),
        )


# Every API request authenticates and takes a token: both statements are built once.
_LIVE_KEY = prepared(
    _KEY.where(api_keys.c.key_hash == sa.bindparam("hash"), api_keys.c.revoked_at.is_(None))
)


def _bucket_upsert(db: Database):
    b = api_buckets.c
    statement = insert(db, api_buckets).values(
        key_id=sa.bindparam("key"), tokens=sa.bindparam("start"), updated=sa.bindparam("now")
    )
    refilled = b.tokens + (statement.excluded.updated - b.updated) * sa.bindparam("rate")
    burst = sa.bindparam("burst")
    return statement.on_conflict_do_update(
        index_elements=["key_id"],
        set_={
            "tokens": sa.case((refilled > burst, burst), else_=refilled) - 1,
            "updated": statement.excluded.updated,
        },
    ).returning(b.tokens)


_TAKE_TOKEN = once_per_dialect(_bucket_upsert)


def api_key_by_hash(db: Database, key_hash: str) -> dict[str, Any] | None:
    found = row(db, _LIVE_KEY, {"hash": key_hash})
    return dict(found) if found else None


def list_api_keys(db: Database) -> list[dict[str, Any]]:
    return records(db, _KEY.order_by(api_keys.c.name))


def mark_key_used(db: Database, key_id: int, when: str) -> None:
    """Keep when a key was last used."""
    with transaction(db):
        execute(db, sa.update(api_keys).where(api_keys.c.id == key_id).values(last_used_at=when))


def revoke_api_key(db: Database, name: str) -> bool:
    k = api_keys.c
    with transaction(db):
        revoked = execute(
            db,
            sa.update(api_keys)
            .where(k.name == name, k.revoked_at.is_(None))
            .values(revoked_at=iso(utcnow())),
        )
        return revoked > 0


def take_token(db: Database, key_id: int, *, rate: float, burst: float, now: float) -> float:
    """Take one request from the key's bucket; the tokens left (negative: over the limit).

    One upsert: refill by the time elapsed (never above ``burst``), take one, and return
    what is left, atomically on either engine however many nodes share the bucket.
    """
    params = {"key": key_id, "start": burst - 1, "now": now, "rate": rate, "burst": burst}
    with transaction(db):
        return value(db, _TAKE_TOKEN(db), params)


def get_idempotent(db: Database, key_id: int, idempotency_key: str) -> Record | None:
    """``request_hash``, ``status`` and ``body`` of an earlier request with this key, or
    None."""
    i = idempotency.c
    return row(
        db,
        sa.select(i.request_hash, i.status, i.body).where(
            i.key_id == key_id, i.idempotency_key == idempotency_key
        ),
    )


def save_idempotent(
    db: Database, key_id: int, idempotency_key: str, request_hash: str, status: int, body: str
) -> None:
    execute(
        db,
        insert(db, idempotency)
        .values(
            key_id=key_id,
            idempotency_key=idempotency_key,
            request_hash=request_hash,
            status=status,
            body=body,
            created_at=iso(utcnow()),
        )
        .on_conflict_do_nothing(index_elements=["key_id", "idempotency_key"]),
    )


def update_idempotent(db: Database, key_id: int, idempotency_key: str, body: str) -> None:
    """Replace a saved reply's body (once the invitations it reports were sent)."""
    i = idempotency.c
    with transaction(db):
        execute(
            db,
            sa.update(idempotency)
            .where(i.key_id == key_id, i.idempotency_key == idempotency_key)
            .values(body=body),
        )
