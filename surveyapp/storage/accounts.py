"""Admin accounts, and failed attempts (logins, guessed links) shared by every worker."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

from surveyapp.storage.database import iso, record, records, utcnow

USER_COLUMNS = ("id", "username", "password_hash", "role", "locale", "created_at")


def insert_user(db: Database, username: str, password_hash: str, role: str) -> None:
    with db.atomic():
        db.execute(
            "INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)",
            [username, password_hash, role, iso(utcnow())],
        )


def get_user(db: Database, *, username: str | None = None, user_id: int | None = None):
    if username is not None:
        return record(db, "users", USER_COLUMNS, "WHERE username = ?", [username])
    return record(db, "users", USER_COLUMNS, "WHERE id = ?", [user_id])


def list_users(db: Database) -> list[dict[str, Any]]:
    return records(db, "users", USER_COLUMNS, "ORDER BY username")


def _end_sessions_of(db: Database, username: str) -> None:
    db.execute(
        "DELETE FROM admin_sessions WHERE user_id IN (SELECT id FROM users WHERE username = ?)",
        [username],
    )


def delete_user(db: Database, username: str) -> bool:
    """Delete an account and end its sessions."""
    with db.atomic():
        _end_sessions_of(db, username)
        return db.execute("DELETE FROM users WHERE username = ?", [username]).rowcount > 0


def set_password_hash(db: Database, username: str, password_hash: str) -> bool:
    """Replace an account's password hash and end all its sessions."""
    with db.atomic():
        _end_sessions_of(db, username)
        return (
            db.execute(
                "UPDATE users SET password_hash = ? WHERE username = ?", [password_hash, username]
            ).rowcount
            > 0
        )


def start_session(db: Database, id_hash: str, user_id: int, expires_at: datetime) -> None:
    """Record a new admin session (by the hash of its id); expired ones are dropped."""
    now = iso(utcnow())
    with db.atomic():
        db.execute("DELETE FROM admin_sessions WHERE expires_at < ?", [now])
        db.execute(
            "INSERT INTO admin_sessions (id_hash, user_id, created_at, expires_at) "
            "VALUES (?, ?, ?, ?)",
            [id_hash, user_id, now, iso(expires_at)],
        )


def session_user(db: Database, id_hash: str, now: datetime) -> dict[str, Any] | None:
    """The account of a live session, or None if it ended, expired or never was."""
    columns = ", ".join(f"u.{c}" for c in USER_COLUMNS)
    row = db.execute(
        f"SELECT {columns} FROM admin_sessions s JOIN users u ON u.id = s.user_id "  # noqa: S608 # nosec B608
        "WHERE s.id_hash = ? AND s.expires_at > ?",
        [id_hash, iso(now)],
    ).fetchone()
    return dict(zip(USER_COLUMNS, row, strict=True)) if row else None


def end_session(db: Database, id_hash: str) -> None:
    """End one session: its cookie, or any copy of it, is refused from now on."""
    with db.atomic():
        db.execute("DELETE FROM admin_sessions WHERE id_hash = ?", [id_hash])


def set_user_locale(db: Database, user_id: int, locale: str) -> None:
    with db.atomic():
        db.execute("UPDATE users SET locale = ? WHERE id = ?", [locale, user_id])


# Failed attempts, keyed by what failed: "user:<name>" and "client:<address>" for admin
# logins, "token:<address>" for unknown survey links. (The table's name is historical.)


def recent_failures(db: Database, keys: list[str]) -> list[tuple[int, str]]:
    """(failures, last failure time) for each key that has failed recently."""
    marks = ", ".join("?" for _ in keys)
    return db.execute(
        f"SELECT failures, last_at FROM login_failures WHERE key IN ({marks})",  # noqa: S608 # nosec B608
        keys,
    ).fetchall()


def add_failure(db: Database, keys: list[str], when: datetime, reset_before: datetime):
    with db.atomic():
        for key in keys:
            db.execute(
                "INSERT INTO login_failures (key, failures, last_at) VALUES (?, 1, ?) "
                "ON CONFLICT (key) DO UPDATE SET failures = CASE WHEN last_at < ? THEN 1 "
                "ELSE failures + 1 END, last_at = excluded.last_at",
                [key, iso(when), iso(reset_before)],
            )


def clear_failures(db: Database, keys: list[str]) -> None:
    marks = ", ".join("?" for _ in keys)
    with db.atomic():
        db.execute(f"DELETE FROM login_failures WHERE key IN ({marks})", keys)  # noqa: S608 # nosec B608
