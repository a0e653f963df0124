"""Two-factor sign-in for local accounts: a time-based one-time code (TOTP, RFC 6238, by
pyotp) from an authenticator app, set up from a QR code (drawn by segno), with ten
single-use recovery codes for a lost phone. A code works once (its time step is kept),
and wrong codes slow the next ones down as wrong passwords do.

No Flask here: the admin pages call these. pyotp and segno are imported where used, by
the accounts that sign in with a second factor: together they weigh some 10 MB that every
web worker would otherwise carry.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from surveyapp import storage
from surveyapp.services.accounts import take_attempt, token_hash
from surveyapp.storage import Database

#: The name authenticator apps show above the codes.
ISSUER = "Moments of truth"
#: Recovery codes given when two-factor sign-in is turned on (each works once).
RECOVERY_CODES = 10
#: Wrong codes allowed before each further attempt waits (2, 4, 8 … seconds).
FREE_FAILURES = 5
#: A code of the time step before or after the current one is still taken (clocks drift).
VALID_WINDOW = 1
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


@dataclass(frozen=True)
class Check:
    """A code checked: ``ok``, or refused; ``wait_seconds`` > 0: not checked at all."""

    ok: bool
    wait_seconds: int = 0
    recovery_code_used: bool = False


def is_on(user: dict) -> bool:
    """Whether the account signs in with a second factor."""
    return bool(user.get("totp_enabled_at"))


def new_secret() -> str:
    """A secret for an account turning two-factor sign-in on (160 random bits): kept by
    the caller until a code proves the app has it (nothing is stored before)."""
    import pyotp

    return pyotp.random_base32(32)


def qr_code_uri(user: dict, secret: str) -> str:
    """The secret as a QR code for authenticator apps: an SVG image in a data: URI, drawn
    here (nothing fetched from anywhere)."""
    import pyotp
    import segno

    uri = pyotp.TOTP(secret).provisioning_uri(name=user["username"], issuer_name=ISSUER)
    return segno.make(uri, error="m").svg_data_uri(scale=4, border=2)


def _step(secret: str, code: str, now: datetime) -> int | None:
    """The time step ``code`` is right for, within VALID_WINDOW of ``now``, or None."""
    import pyotp

    totp = pyotp.TOTP(secret)
    code = "".join(code.split())
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        when = now + timedelta(seconds=offset * totp.interval)
        if secrets.compare_digest(totp.at(when), code):
            return totp.timecode(when)
    return None


def turn_on(
    db: Database, user: dict, secret: str | None, code: str, now: datetime | None = None
) -> list[str] | None:
    """Turn two-factor sign-in on with ``secret`` when ``code`` shows the app has it: the
    recovery codes (shown once; only their hashes are kept), or None if the code is wrong
    (nothing stored)."""
    now = now or storage.utcnow()
    step = _step(secret, code, now) if secret else None
    if step is None:
        return None
    codes = _new_codes()
    storage.two_factor.turn_on(db, user["id"], secret, step, [_code_hash(c) for c in codes], now)
    storage.audit.record_audit(db, user["username"], "user.two_factor_on", user["username"])
    return codes


def new_recovery_codes(db: Database, user: dict) -> list[str]:
    """New recovery codes for the account (the earlier ones stop working)."""
    codes = _new_codes()
    storage.two_factor.replace_codes(db, user["id"], [_code_hash(c) for c in codes])
    storage.audit.record_audit(db, user["username"], "user.recovery_codes", user["username"])
    return codes


def turn_off(db: Database, user: dict, *, by: str) -> None:
    """Turn two-factor sign-in off for the account (its secret and codes forgotten)."""
    storage.two_factor.turn_off(db, user["id"])
    storage.audit.record_audit(db, by, "user.two_factor_off", user["username"])


def check(db: Database, user: dict, code: str, client: str, now: datetime | None = None) -> Check:
    """Check a sign-in's second factor: a code from the app (once per time step) or an
    unused recovery code. Attempts are counted before checking, per account and per
    account from this address, as passwords are (storage.accounts.take_attempt)."""
    now = now or storage.utcnow()
    keys = {f"2fa:{user['id']}": FREE_FAILURES, f"2fa:{user['id']}|{client}": FREE_FAILURES}
    wait = take_attempt(db, keys, now)
    if wait:
        return Check(False, wait)
    secret = storage.two_factor.secret_of(db, user["id"])
    step = _step(secret, code, now) if secret else None
    if step is not None and storage.two_factor.claim_step(db, user["id"], step):
        storage.accounts.clear_failures(db, list(keys))
        return Check(True)
    if storage.two_factor.use_code(db, user["id"], _code_hash(code), now):
        storage.accounts.clear_failures(db, list(keys))
        storage.audit.record_audit(
            db, user["username"], "user.recovery_code_used", user["username"]
        )
        return Check(True, recovery_code_used=True)
    return Check(False)


def _code_hash(code: str) -> str:
    """What is kept of a recovery code: the SHA-256 of its letters, in any case, without
    spaces or hyphens (so it is typed as the reader likes)."""
    return token_hash("".join(c for c in code.lower() if c.isalnum()))


def _new_codes() -> list[str]:
    """RECOVERY_CODES codes of 10 letters and digits (about 49 bits each), as "xxxxx-xxxxx"
    without the easily misread ones; stored hashed, typed in any case, with or without the
    hyphen."""
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes
