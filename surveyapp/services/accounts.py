"""Admin accounts: hashed passwords, roles, and logins that slow down after failures.

No Flask here: the CLI creates accounts and the admin views log people in
through the same functions.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from werkzeug.security import check_password_hash, generate_password_hash

from surveyapp import storage
from surveyapp.domain import vocabulary
from surveyapp.domain.errors import Invalid
from surveyapp.domain.text import has_control_characters
from surveyapp.storage import Database

ROLES = vocabulary.ROLES
MIN_PASSWORD_LENGTH = 10
USERNAME_MAX = 64
#: Failures allowed before each further attempt must wait, and how long failures count.
FREE_FAILURES = 5
FAILURE_MEMORY = timedelta(minutes=15)
MAX_WAIT = timedelta(minutes=15)
#: How long an admin session lasts, on the server and in the browser's cookie alike.
SESSION_HOURS = 12
# Checked against when the user name is unknown, so both cases take the same time.
_DUMMY_HASH = generate_password_hash("not a real password")


class AccountError(Invalid, ValueError):
    """An account cannot be created as asked; the message says why."""


def check_username(username: str) -> None:
    """Raise AccountError unless ``username`` can name an account."""
    if (
        not username
        or len(username) > USERNAME_MAX
        or any(c.isspace() for c in username)
        or has_control_characters(username)
    ):
        raise AccountError(
            f"a user name is 1 to {USERNAME_MAX} characters without spaces or control characters"
        )


def create(db: Database, username: str, password: str, role: str = "admin") -> None:
    """Create an account; the password is stored only as a salted scrypt hash."""
    username = username.strip()
    check_username(username)
    if role not in ROLES:
        raise AccountError(f"the role is one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    if storage.accounts.get_user(db, username=username):
        raise AccountError(f"'{username}' already exists")
    storage.accounts.insert_user(db, username, generate_password_hash(password), role)


@dataclass(frozen=True)
class LoginResult:
    user: dict | None
    wait_seconds: int = 0  # > 0: refused without checking, too many recent failures


def _keys(username: str, client: str) -> list[str]:
    return [f"user:{username.strip().lower()}", f"client:{client}"]


def wait_needed(db: Database, username: str, client: str, now: datetime) -> int:
    """Seconds to wait before the next attempt: 0 for the first few failures, then doubling."""
    wait = 0
    for found in storage.accounts.recent_failures(db, _keys(username, client)):
        failures, last = found["failures"], storage.parse_iso(found["last_at"])
        if failures < FREE_FAILURES or now - last > FAILURE_MEMORY:
            continue
        delay = min(timedelta(seconds=2 ** (failures - FREE_FAILURES + 1)), MAX_WAIT)
        wait = max(wait, int((last + delay - now).total_seconds()) + 1)
    return max(wait, 0)


def authenticate(
    db: Database, username: str, password: str, client: str, now: datetime | None = None
) -> LoginResult:
    """Check a login. Failures are counted per user name and per client address."""
    now = now or storage.utcnow()
    wait = wait_needed(db, username, client, now)
    if wait:
        return LoginResult(None, wait)
    user = storage.accounts.get_user(db, username=username.strip())
    if user and check_password_hash(user["password_hash"], password):
        storage.accounts.clear_failures(db, _keys(username, client))
        if user["disabled_at"]:  # the right password, but an admin disabled the account
            return LoginResult(None)
        storage.accounts.mark_login(db, user["id"])
        return LoginResult(user)
    if not user:
        check_password_hash(_DUMMY_HASH, password)
    storage.accounts.add_failure(db, _keys(username, client), now, now - FAILURE_MEMORY)
    return LoginResult(None)


def set_password(db: Database, username: str, password: str) -> None:
    """Give an account a new password; every session it has ends."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    if not storage.accounts.set_password_hash(db, username, generate_password_hash(password)):
        raise AccountError(f"no account '{username}'")


def token_hash(token: str) -> str:
    """What is stored of a random token (a session id, a reset or recovery link): its
    SHA-256. A token carries 128 bits or more, so a fast hash is enough, unlike for a
    password; a leaked table opens nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(db: Database, user: dict, now: datetime | None = None) -> str:
    """A new session for ``user``, lasting SESSION_HOURS; its token (kept in the signed
    cookie; the server keeps only its hash)."""
    token = secrets.token_urlsafe(32)
    expires = (now or storage.utcnow()) + timedelta(hours=SESSION_HOURS)
    storage.accounts.start_session(db, token_hash(token), user["id"], expires)
    return token


def session_user(db: Database, token: str | None, now: datetime | None = None) -> dict | None:
    """The account whose live session ``token`` is, or None."""
    if not isinstance(token, str) or not token:
        return None
    return storage.accounts.session_user(db, token_hash(token), now or storage.utcnow())


def end_session(db: Database, token: str | None) -> None:
    """End the session ``token``: it, and every copy of its cookie, is refused from now on."""
    if isinstance(token, str) and token:
        storage.accounts.end_session(db, token_hash(token))
