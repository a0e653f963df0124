"""Admin accounts, and failed attempts (logins, guessed links) shared by every worker."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from surveyapp.storage.database import Database, iso, utcnow
from surveyapp.storage.statements import (
    Record,
    execute,
    findable,
    insert,
    record,
    records,
    rows,
    value,
)
from surveyapp.storage.tables import (
    admin_sessions,
    login_failures,
    password_resets,
    recovery_codes,
    reset_requests,
    users,
)
from surveyapp.storage.transactions import transaction

USER_COLUMNS = (
    "id",
    "username",
    "password_hash",
    "role",
    "locale",
    "created_at",
    "email",
    "journeys",
    "disabled_at",
    "last_login_at",
    "totp_enabled_at",
)
_USER = sa.select(*(users.c[name] for name in USER_COLUMNS))


def insert_user(
    db: Database,
    username: str,
    password_hash: str,
    role: str,
    *,
    email: str | None = None,
    journeys: list[str] | None = None,
    locale: str | None = None,
) -> int:
    """Store a new account; its id."""
    with transaction(db):
        return value(
            db,
            sa.insert(users)
            .values(
                username=username,
                password_hash=password_hash,
                role=role,
                created_at=iso(utcnow()),
                email=email,
                journeys=json.dumps(journeys) if journeys is not None else None,
                locale=locale,
            )
            .returning(users.c.id),
        )


def update_user(db: Database, user_id: int, **values: Any) -> bool:
    """Change an account's ``role``, ``email``, ``journeys`` (a list, or None for all) or
    ``disabled_at``; disabling it ends its sessions. False if there is no such account."""
    if "journeys" in values and values["journeys"] is not None:
        values["journeys"] = json.dumps(values["journeys"])
    with transaction(db):
        if values.get("disabled_at"):
            execute(db, sa.delete(admin_sessions).where(admin_sessions.c.user_id == user_id))
            _forget_live_resets(db, user_id)
        return execute(db, sa.update(users).where(users.c.id == user_id).values(values)) > 0


def _forget_live_resets(db: Database, user_id) -> None:
    """The account's unused reset links stop working (a newer one, a new password, the
    account disabled): an account has one live link at most. ``user_id``: an id, or a
    subquery giving it."""
    p = password_resets.c
    execute(db, sa.delete(password_resets).where(p.user_id == user_id, p.used_at.is_(None)))


def mark_login(db: Database, user_id: int) -> None:
    with transaction(db):
        execute(
            db, sa.update(users).where(users.c.id == user_id).values(last_login_at=iso(utcnow()))
        )


def get_user(db: Database, *, username: str | None = None, user_id: int | None = None):
    if not findable(username):
        return None
    if username is not None:
        return record(db, _USER.where(users.c.username == username))
    return record(db, _USER.where(users.c.id == user_id))


def list_users(db: Database) -> list[dict[str, Any]]:
    return records(db, _USER.order_by(users.c.username))


def _end_sessions_of(db: Database, username: str) -> None:
    execute(
        db,
        sa.delete(admin_sessions).where(
            admin_sessions.c.user_id.in_(sa.select(users.c.id).where(users.c.username == username))
        ),
    )


def delete_user(db: Database, username: str) -> bool:
    """Delete an account, its reset links (asked for or made), its recovery codes, and
    end its sessions."""
    with transaction(db):
        _end_sessions_of(db, username)
        account = sa.select(users.c.id).where(users.c.username == username)
        for table in (password_resets, reset_requests, recovery_codes):
            execute(db, sa.delete(table).where(table.c.user_id.in_(account)))
        return execute(db, sa.delete(users).where(users.c.username == username)) > 0


def set_password_hash(db: Database, username: str, password_hash: str) -> bool:
    """Replace an account's password hash, end all its sessions, and its reset links."""
    with transaction(db):
        _end_sessions_of(db, username)
        _forget_live_resets(
            db, sa.select(users.c.id).where(users.c.username == username).scalar_subquery()
        )
        changed = execute(
            db,
            sa.update(users)
            .where(users.c.username == username)
            .values(password_hash=password_hash),
        )
        return changed > 0


def add_reset(db: Database, token_hash: str, user_id: int, expires_at: datetime) -> None:
    """Keep a new password-reset link (by its token's hash): the account's only live
    one, any earlier unused link stops working."""
    with transaction(db):
        _forget_live_resets(db, user_id)
        execute(
            db,
            sa.insert(password_resets).values(
                token_hash=token_hash,
                user_id=user_id,
                created_at=iso(utcnow()),
                expires_at=iso(expires_at),
            ),
        )


def reset_of(db: Database, token_hash: str) -> dict[str, Any] | None:
    """A password-reset link and the username it sets the password of, or None."""
    p = password_resets.c
    return record(
        db,
        sa.select(
            p.token_hash, p.user_id, p.expires_at, p.used_at, users.c.username, users.c.locale
        )
        .join_from(password_resets, users, users.c.id == p.user_id)
        .where(p.token_hash == token_hash, users.c.disabled_at.is_(None)),
    )


def use_reset(db: Database, token_hash: str, password_hash: str) -> bool:
    """Set the password a live, unused reset link is for, mark the link used and end the
    account's sessions, in one transaction; False (nothing changed) if the link was used,
    expired or never was. One statement claims the link, so two posts use it once."""
    p = password_resets.c
    now = iso(utcnow())
    with transaction(db):
        claimed = value(
            db,
            sa.update(password_resets)
            .where(
                p.token_hash == token_hash,
                p.used_at.is_(None),
                p.expires_at > now,
                p.user_id.in_(sa.select(users.c.id).where(users.c.disabled_at.is_(None))),
            )
            .values(used_at=now)
            .returning(p.user_id),
        )
        if claimed is None:
            return False
        execute(db, sa.delete(admin_sessions).where(admin_sessions.c.user_id == claimed))
        _forget_live_resets(db, claimed)
        execute(
            db, sa.update(users).where(users.c.id == claimed).values(password_hash=password_hash)
        )
    return True


def start_session(db: Database, id_hash: str, user_id: int, expires_at: datetime) -> None:
    """Record a new admin session (by the hash of its id); expired ones are dropped."""
    now = iso(utcnow())
    with transaction(db):
        execute(db, sa.delete(admin_sessions).where(admin_sessions.c.expires_at < now))
        execute(
            db,
            sa.insert(admin_sessions).values(
                id_hash=id_hash, user_id=user_id, created_at=now, expires_at=iso(expires_at)
            ),
        )


def session_user(db: Database, id_hash: str, now: datetime) -> dict[str, Any] | None:
    """The account of a live session, or None if it ended, expired or never was."""
    s = admin_sessions.c
    return record(
        db,
        _USER.join_from(users, admin_sessions, s.user_id == users.c.id).where(
            s.id_hash == id_hash, s.expires_at > iso(now), users.c.disabled_at.is_(None)
        ),
    )


def end_session(db: Database, id_hash: str) -> None:
    """End one session: its cookie, or any copy of it, is refused from now on."""
    with transaction(db):
        execute(db, sa.delete(admin_sessions).where(admin_sessions.c.id_hash == id_hash))


def set_user_locale(db: Database, user_id: int, locale: str) -> None:
    with transaction(db):
        execute(db, sa.update(users).where(users.c.id == user_id).values(locale=locale))


# Failed attempts, keyed by what failed: "user:<name>" and "client:<address>" for admin
# logins, "token:<address>" for unknown survey links. (The table's name is historical.)


def recent_failures(db: Database, keys: list[str]) -> list[Record]:
    """``key``, ``failures`` and ``last_at`` (the last failure's time) of each key that has
    failed."""
    f = login_failures.c
    return rows(db, sa.select(f.key, f.failures, f.last_at).where(f.key.in_(keys)))


def take_attempt(
    db: Database,
    keys: list[str],
    *,
    now: datetime,
    forget_before: datetime,
    wait: Callable[[str, int, str], int],
) -> int:
    """Count an attempt under every key, unless one of them must still wait (``wait``
    of its key, failures and last failure's time, in seconds): what is left to wait, or 0
    when counted. One transaction holds the keys' rows (SQLite's write lock; on
    PostgreSQL, FOR UPDATE), so attempts made at once are decided one after the other.
    A count whose last failure is older than ``forget_before`` starts again."""
    f = login_failures.c
    with transaction(db):
        execute(
            db,
            insert(db, login_failures)
            .values([{"key": k, "failures": 0, "last_at": iso(forget_before)} for k in keys])
            .on_conflict_do_nothing(index_elements=["key"]),
        )
        found = rows(
            db, sa.select(f.key, f.failures, f.last_at).where(f.key.in_(keys)).with_for_update()
        )
        left = max((wait(r["key"], r["failures"], r["last_at"]) for r in found), default=0)
        if left:
            return left
        execute(
            db,
            sa.update(login_failures)
            .where(f.key.in_(keys))
            .values(
                failures=sa.case((f.last_at < iso(forget_before), 1), else_=f.failures + 1),
                last_at=iso(now),
            ),
        )
    return 0


def forgive(db: Database, key: str) -> None:
    """Take one counted attempt back from ``key`` (it was not a failure after all)."""
    f = login_failures.c
    with transaction(db):
        execute(
            db,
            sa.update(login_failures)
            .where(f.key == key, f.failures > 0)
            .values(failures=f.failures - 1),
        )


def add_failure(db: Database, keys: list[str], when: datetime, reset_before: datetime):
    """Count one failure for each key, in one atomic upsert per key (exact under any
    concurrency): a count whose last failure is older than ``reset_before`` starts again."""
    f = login_failures.c
    with transaction(db):
        for key in keys:
            statement = insert(db, login_failures).values(key=key, failures=1, last_at=iso(when))
            execute(
                db,
                statement.on_conflict_do_update(
                    index_elements=["key"],
                    set_={
                        "failures": sa.case(
                            (f.last_at < iso(reset_before), 1), else_=f.failures + 1
                        ),
                        "last_at": statement.excluded.last_at,
                    },
                ),
            )


def clear_failures(db: Database, keys: list[str]) -> None:
    with transaction(db):
        execute(db, sa.delete(login_failures).where(login_failures.c.key.in_(keys)))


def users_named(db: Database, name_or_email: str) -> list[dict[str, Any]]:
    """The enabled accounts with this user name, or this email (in any case)."""
    u = users.c
    wanted = name_or_email.strip()
    return records(
        db,
        sa.select(users).where(
            u.disabled_at.is_(None),
            sa.or_(u.username == wanted, sa.func.lower(u.email) == wanted.lower()),
        ),
    )


def user_by_email(db: Database, email: str) -> dict[str, Any] | None:
    """The account with this email (in any case), disabled or not; the oldest if several."""
    u = users.c
    found = records(
        db,
        sa.select(users).where(sa.func.lower(u.email) == email.strip().lower()).order_by(u.id),
    )
    return found[0] if found else None


def reset_made_since(db: Database, user_id: int, since: datetime) -> bool:
    """Whether a reset link was made for the account since ``since``."""
    r = password_resets.c
    found = value(
        db, sa.select(r.token_hash).where(r.user_id == user_id, r.created_at >= iso(since))
    )
    return found is not None
