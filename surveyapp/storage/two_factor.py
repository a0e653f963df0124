"""Two-factor sign-in's records: an account's TOTP secret (stored once a code proved the
app has it), the last time step a code was used in, so that a code works once,
and its single-use recovery codes (only their SHA-256)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from surveyapp.storage.database import Database, iso
from surveyapp.storage.statements import execute, insert_many, value
from surveyapp.storage.tables import recovery_codes, users
from surveyapp.storage.transactions import transaction


def secret_of(db: Database, user_id: int) -> str | None:
    """The account's TOTP secret (turned on, or being turned on), or None."""
    return value(db, sa.select(users.c.totp_secret).where(users.c.id == user_id))


def turn_on(
    db: Database, user_id: int, secret: str, step: int, code_hashes: list[str], now: datetime
) -> None:
    """Two-factor sign-in is on with this secret (its code of time step ``step`` used),
    with these recovery codes (any earlier ones go)."""
    with transaction(db):
        execute(
            db,
            sa.update(users)
            .where(users.c.id == user_id)
            .values(totp_secret=secret, totp_enabled_at=iso(now), totp_last_step=step),
        )
        replace_codes(db, user_id, code_hashes)


def replace_codes(db: Database, user_id: int, code_hashes: list[str]) -> None:
    """The account's recovery codes are these, the earlier ones no longer work."""
    with transaction(db):
        execute(db, sa.delete(recovery_codes).where(recovery_codes.c.user_id == user_id))
        insert_many(db, recovery_codes, [{"code_hash": h, "user_id": user_id} for h in code_hashes])


def turn_off(db: Database, user_id: int) -> None:
    """Two-factor sign-in is off: secret and recovery codes forgotten."""
    with transaction(db):
        execute(
            db,
            sa.update(users)
            .where(users.c.id == user_id)
            .values(totp_secret=None, totp_enabled_at=None, totp_last_step=None),
        )
        execute(db, sa.delete(recovery_codes).where(recovery_codes.c.user_id == user_id))


def claim_step(db: Database, user_id: int, step: int) -> bool:
    """Use the time step ``step`` for a sign-in, once: False if it (or a later one) was
    used already, so a code seen over a shoulder cannot be replayed."""
    u = users.c
    with transaction(db):
        return (
            execute(
                db,
                sa.update(users)
                .where(u.id == user_id, sa.or_(u.totp_last_step.is_(None), u.totp_last_step < step))
                .values(totp_last_step=step),
            )
            > 0
        )


def use_code(db: Database, user_id: int, code_hash: str, now: datetime) -> bool:
    """Use one recovery code, once; whether it was the account's and unused."""
    r = recovery_codes.c
    with transaction(db):
        return (
            execute(
                db,
                sa.update(recovery_codes)
                .where(r.code_hash == code_hash, r.user_id == user_id, r.used_at.is_(None))
                .values(used_at=iso(now)),
            )
            > 0
        )


def codes_left(db: Database, user_id: int) -> int:
    """How many of the account's recovery codes are unused."""
    r = recovery_codes.c
    counted = sa.select(sa.func.count()).where(r.user_id == user_id, r.used_at.is_(None))
    return value(db, counted)
