"""Admin accounts: hashed passwords and logins that slow down after failures."""

from __future__ import annotations

from datetime import timedelta

import pytest

from surveyapp import storage
from surveyapp.services import accounts


def test_passwords_are_stored_only_as_strong_hashes(db):
    accounts.create(db, "maria", "correct horse battery", "admin")
    user = storage.accounts.get_user(db, username="maria")
    assert "correct horse battery" not in user["password_hash"]
    assert user["password_hash"].startswith("scrypt:")


@pytest.mark.parametrize(
    ("username", "password", "role", "reason"),
    [
        ("maria", "short", "admin", "at least 10 characters"),
        ("ma ria", "long enough password", "admin", "without spaces"),
        ("maria", "long enough password", "owner", "the role is one of admin, viewer"),
    ],
)
def test_bad_accounts_are_refused(db, username, password, role, reason):
    with pytest.raises(accounts.AccountError, match=reason):
        accounts.create(db, username, password, role)
    assert storage.accounts.list_users(db) == []


def test_a_user_name_is_taken_once(db):
    accounts.create(db, "maria", "correct horse battery")
    with pytest.raises(accounts.AccountError, match="already exists"):
        accounts.create(db, "maria", "another good password")


def test_login_checks_the_password(db):
    accounts.create(db, "maria", "correct horse battery")
    assert accounts.authenticate(db, "maria", "correct horse battery", "1.2.3.4").user
    assert accounts.authenticate(db, "maria", "Correct horse battery", "1.2.3.4").user is None
    assert accounts.authenticate(db, "nobody", "correct horse battery", "1.2.3.4").user is None


def test_repeated_failures_make_the_next_attempts_wait(db):
    accounts.create(db, "maria", "correct horse battery")
    now = storage.utcnow()
    for _ in range(accounts.FREE_FAILURES):
        assert accounts.authenticate(db, "maria", "guess", "9.9.9.9", now=now).wait_seconds == 0
    refused = accounts.authenticate(db, "maria", "correct horse battery", "9.9.9.9", now=now)
    assert refused.user is None and refused.wait_seconds > 0
    later = now + timedelta(seconds=refused.wait_seconds + 1)
    assert accounts.authenticate(db, "maria", "correct horse battery", "9.9.9.9", now=later).user
    assert accounts.wait_needed(db, "maria", "9.9.9.9", later) == 0


def test_failures_from_one_address_slow_down_every_user_name_it_tries(db):
    now = storage.utcnow()
    for name in ("a", "b", "c", "d", "e"):
        accounts.authenticate(db, name, "guess", "6.6.6.6", now=now)
    assert accounts.wait_needed(db, "f", "6.6.6.6", now) > 0
    assert accounts.wait_needed(db, "f", "7.7.7.7", now) == 0


def test_old_failures_are_forgotten(db):
    past = storage.utcnow() - timedelta(hours=1)
    for _ in range(10):
        accounts.authenticate(db, "maria", "guess", "1.1.1.1", now=past)
    assert accounts.wait_needed(db, "maria", "1.1.1.1", storage.utcnow()) == 0
