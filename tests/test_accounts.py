"""Admin accounts: hashed passwords that are hard to guess, and logins that slow down
after failures per account and address, exactly, even under attempts made at once."""

from __future__ import annotations

import threading
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
        ("maria", "aaaaaaaaaa", "admin", "too easy to guess"),
        ("maria", "password12", "admin", "too easy to guess"),
        ("maria", "azertyuiop", "admin", "too easy to guess"),  # a French keyboard row
        ("maria", "maria12345", "admin", "too easy to guess"),  # the user name itself
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
    for number in range(accounts.FREE["client"]):
        accounts.authenticate(db, f"name-{number}", "guess", "6.6.6.6", now=now)
    assert accounts.wait_needed(db, "f", "6.6.6.6", now) > 0
    assert accounts.wait_needed(db, "f", "7.7.7.7", now) == 0


def test_a_guesser_elsewhere_does_not_lock_the_owner_out(db):
    accounts.create(db, "maria", "correct horse battery")
    now = storage.utcnow()
    for _ in range(accounts.FREE_FAILURES):
        accounts.authenticate(db, "maria", "guess", "6.6.6.6", now=now)
    assert accounts.authenticate(db, "maria", "guess", "6.6.6.6", now=now).wait_seconds > 0
    # Her own desk: the right password works at once.
    assert accounts.authenticate(db, "maria", "correct horse battery", "10.0.0.7", now=now).user
    # A large attack from many addresses slows the account itself, for everyone.
    for number in range(accounts.FREE["user"]):
        accounts.authenticate(db, "maria", "guess", f"203.0.113.{number}", now=now)
    assert accounts.wait_needed(db, "maria", "10.0.0.7", now) > 0


def test_an_office_logging_in_all_day_is_never_slowed_down(db):
    accounts.create(db, "maria", "correct horse battery")
    now = storage.utcnow()
    for _ in range(3 * accounts.FREE["client"]):
        assert accounts.authenticate(db, "maria", "correct horse battery", "10.0.0.1", now=now).user


def test_forty_attempts_at_once_get_no_more_password_checks_than_one_after_another(
    database, db, monkeypatch
):
    accounts.create(db, "maria", "correct horse battery")
    checks, lock = [], threading.Lock()
    check = accounts.check_password_hash

    def counted(*args):
        with lock:
            checks.append(1)
        return check(*args)

    monkeypatch.setattr(accounts, "check_password_hash", counted)
    start = threading.Barrier(40)
    results = []

    def attempt():
        start.wait(timeout=30)  # all at once (the pool lends its connections in turn)
        with storage.connect(database) as own:
            results.append(accounts.authenticate(own, "maria", "guess", "6.6.6.6"))

    threads = [threading.Thread(target=attempt) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 40 and not any(r.user for r in results)
    assert len(checks) == accounts.FREE_FAILURES
    assert sum(r.wait_seconds > 0 for r in results) == 40 - accounts.FREE_FAILURES


def test_old_failures_are_forgotten(db):
    past = storage.utcnow() - timedelta(hours=1)
    for _ in range(10):
        accounts.authenticate(db, "maria", "guess", "1.1.1.1", now=past)
    assert accounts.wait_needed(db, "maria", "1.1.1.1", storage.utcnow()) == 0
