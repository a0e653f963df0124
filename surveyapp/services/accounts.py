"""Admin accounts: hashed passwords, roles, and logins that slow down after failures.

No Flask here: the CLI creates accounts and the admin views log people in
through the same functions.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from werkzeug.security import check_password_hash, generate_password_hash

from surveyapp import storage
from surveyapp.domain import vocabulary
from surveyapp.domain.errors import Invalid
from surveyapp.domain.i18n import N_, Message, message
from surveyapp.domain.text import has_control_characters
from surveyapp.storage import Database

ROLES = vocabulary.ROLES
MIN_PASSWORD_LENGTH = 10
#: zxcvbn's score a password needs (0-4): 3 is at least 10^8 guesses, beyond what
#: throttled guessing reaches, and refuses common and breached passwords, words, repeats,
#: sequences and keyboard rows. Only the first PASSWORD_CHECKED characters are scored
#: (zxcvbn's time grows with the length).
MIN_PASSWORD_SCORE = 3
PASSWORD_CHECKED = 100
USERNAME_MAX = 64
#: Failures allowed before each further attempt must wait, per kind of key, within
#: FAILURE_MEMORY: a user name from one address; an address, whatever names it tries;
#: a user name from anywhere, with many more, so that a guesser elsewhere slows the
#: account only after a large attack, and its owner's right password from her own desk
#: still works before that.
FREE = {"pair": 5, "client": 20, "user": 50}
FREE_FAILURES = FREE["pair"]
FAILURE_MEMORY = timedelta(minutes=15)
MAX_WAIT = timedelta(minutes=15)
#: How long an admin session lasts, on the server and in the browser's cookie alike.
SESSION_HOURS = 12
# Checked against when the user name is unknown, so both cases take the same time.
_DUMMY_HASH = generate_password_hash("not a real password")

TOO_SHORT = N_("the password needs at least %(min)s characters")
TOO_EASY = N_(
    "this password is too easy to guess: it is a common password, or a word, a name, a "
    "date, a repeated letter or a keyboard row (a few unrelated words make a good one)"
)


def password_problem(password: str, hints: Iterable[str] = ()) -> Message | None:
    """Why ``password`` may not be an account's (in any reader's language), or None;
    ``hints`` (the user name, the email) count as easy to guess too."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return message(TOO_SHORT, min=MIN_PASSWORD_LENGTH)
    # Imported here, when a password is set: its word lists weigh 13 MB, which every web
    # worker would otherwise carry (benchmarks/submit.py's RSS).
    from zxcvbn import zxcvbn

    guessed = zxcvbn(password[:PASSWORD_CHECKED], user_inputs=[h for h in hints if h])
    if guessed["score"] < MIN_PASSWORD_SCORE:
        return message(TOO_EASY)
    return None


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
    problem = password_problem(password, [username])
    if problem:
        raise AccountError(problem)
    if storage.accounts.get_user(db, username=username):
        raise AccountError(f"'{username}' already exists")
    storage.accounts.insert_user(db, username, generate_password_hash(password), role)


@dataclass(frozen=True)
class LoginResult:
    user: dict | None
    wait_seconds: int = 0  # > 0: refused without checking, too many recent failures


def _keys(username: str, client: str) -> dict[str, int]:
    """The keys an attempt counts under, each with the failures it allows."""
    name = username.strip().lower()
    return {
        f"login:{name}|{client}": FREE["pair"],
        f"client:{client}": FREE["client"],
        f"user:{name}": FREE["user"],
    }


def throttle_wait(failures: int, last_at: str, free: int, now: datetime) -> int:
    """Seconds a key with ``failures`` (the last at ``last_at``) must still wait: none for
    the first ``free``, then 2, 4, 8 … seconds after the last, at most MAX_WAIT."""
    last = storage.parse_iso(last_at)
    if failures < free or now - last > FAILURE_MEMORY:
        return 0
    delay = min(timedelta(seconds=2 ** (failures - free + 1)), MAX_WAIT)
    return max(int((last + delay - now).total_seconds()) + 1, 0)


def take_attempt(db: Database, keys: dict[str, int], now: datetime) -> int:
    """Count an attempt under each key (with the failures it allows) before it is
    checked, unless one must still wait: the seconds left, or 0 (go on). The one way
    passwords and two-factor codes are throttled."""
    return storage.accounts.take_attempt(
        db,
        list(keys),
        now=now,
        forget_before=now - FAILURE_MEMORY,
        wait=lambda key, failures, last_at: throttle_wait(failures, last_at, keys[key], now),
    )


def wait_needed(db: Database, username: str, client: str, now: datetime) -> int:
    """Seconds to wait before the next attempt of ``username`` from ``client``."""
    keys = _keys(username, client)
    found = storage.accounts.recent_failures(db, list(keys))
    return max(
        (throttle_wait(r["failures"], r["last_at"], keys[r["key"]], now) for r in found), default=0
    )


def authenticate(
    db: Database, username: str, password: str, client: str, now: datetime | None = None
) -> LoginResult:
    """Check a login. Each attempt is counted before its password is checked, in one
    transaction with the decision to let it try (storage.accounts.take_attempt), so
    attempts made at once are let through no more than one at a time would be; a right
    password takes its attempt back."""
    now = now or storage.utcnow()
    keys = _keys(username, client)
    wait = take_attempt(db, keys, now)
    if wait:
        return LoginResult(None, wait)
    user = storage.accounts.get_user(db, username=username.strip())
    if user and check_password_hash(user["password_hash"], password):
        pair, address, name = keys
        with storage.transaction(db):  # one commit
            storage.accounts.clear_failures(db, [pair, name])
            storage.accounts.forgive(db, address)  # an office's logins never slow it down
        if user["disabled_at"]:  # the right password, but an admin disabled the account
            return LoginResult(None)
        storage.accounts.mark_login(db, user["id"])
        return LoginResult(user)
    if not user:
        check_password_hash(_DUMMY_HASH, password)
    return LoginResult(None)


def set_password(db: Database, username: str, password: str) -> None:
    """Give an account a new password; every session it has ends, and every reset link
    it had stops working."""
    problem = password_problem(password, [username])
    if problem:
        raise AccountError(problem)
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
