"""API keys for the company's own systems: shown once, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from surveyapp import storage
from surveyapp.domain.errors import Invalid
from surveyapp.storage import Database

PREFIX = "sk_"


class ApiKeyError(Invalid, ValueError):
    """A key cannot be created as asked; the message says why."""


def key_hash(key: str) -> str:
    # A key is 256 random bits: a fast hash is enough, unlike for a password.
    return hashlib.sha256(key.encode()).hexdigest()


def create(db: Database, name: str) -> str:
    """Create a key named ``name`` and return it; only its hash is kept."""
    name = name.strip()
    if not name or len(name) > 64 or any(c.isspace() for c in name):
        raise ApiKeyError("a key name is 1 to 64 characters without spaces")
    if any(k["name"] == name for k in storage.apikeys.list_api_keys(db)):
        raise ApiKeyError(f"a key named '{name}' exists already")
    key = PREFIX + secrets.token_urlsafe(32)
    storage.apikeys.insert_api_key(db, name, key_hash(key), key[:10])
    return key


#: How often a key's "last used" is written: each request of a busy key need not be.
LAST_USED_EVERY = timedelta(minutes=1)


def authenticate(db: Database, key: str) -> dict | None:
    """The key's record if the key is valid and not revoked; its last use is kept (to
    the minute)."""
    if not key.startswith(PREFIX) or len(key) > 100:
        return None
    found = storage.apikeys.api_key_by_hash(db, key_hash(key))
    if found is not None:
        now = storage.utcnow()
        last = found["last_used_at"]
        if last is None or now - storage.parse_iso(last) >= LAST_USED_EVERY:
            storage.apikeys.mark_key_used(db, found["id"], storage.iso(now))
    return found
