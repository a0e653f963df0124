"""Behind a reverse proxy, clients are told apart (TRUSTED_PROXIES); without one, the
address a client claims in X-Forwarded-For is ignored."""

from __future__ import annotations

import logging
import urllib.request

import pytest

from surveyapp import ConfigurationError, create_app
from surveyapp.services import accounts
from tests.helpers import admin_log_in, start_serve, stop_server

PASSWORD = "correct horse battery"
ATTACKER, ADMIN = "203.0.113.9", "198.51.100.7"


def behind_the_proxy(app, client_address: str):
    """A browser at ``client_address``, reaching the app through nginx on 127.0.0.1."""
    client = app.test_client()
    client.environ_base.update(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=client_address)
    return client


def app_with(proxies: int):
    return create_app({"TESTING": True, "SECRET_KEY": "k", "TRUSTED_PROXIES": proxies})


def fail_logins(client, count: int, first: int = 0) -> list[int]:
    """Wrong passwords for ``count`` user names, each tried once."""
    names = (f"nobody{i}" for i in range(first, first + count))
    return [admin_log_in(client, name, "wrong password").status_code for name in names]


def test_failed_logins_from_one_client_do_not_lock_out_the_admins_behind_a_proxy(
    instance, db, loaded, caplog
):
    accounts.create(db, "maria", PASSWORD, "admin")
    app = app_with(1)
    with caplog.at_level(logging.WARNING):
        free = accounts.FREE["client"]  # failures an address may make, whatever names it tries
        statuses = fail_logins(behind_the_proxy(app, ATTACKER), free + 2)
    assert statuses[:free] == [422] * free and statuses[-1] == 429  # the attacker waits
    assert f"from {ATTACKER}" in caplog.text  # the log names the real client
    assert admin_log_in(behind_the_proxy(app, ADMIN), "maria", PASSWORD).status_code == 303


def test_without_a_trusted_proxy_a_claimed_address_changes_nothing(instance, db, loaded):
    accounts.create(db, "maria", PASSWORD, "admin")
    app = app_with(0)
    for i in range(accounts.FREE["client"]):  # a new claimed address for each try
        assert fail_logins(behind_the_proxy(app, f"192.0.2.{i}"), 1, first=i) == [422]
    # All came from one address, whatever they claimed: the next try from it waits.
    assert admin_log_in(behind_the_proxy(app, "192.0.2.99"), "maria", PASSWORD).status_code == 429


def test_the_link_guess_limit_counts_each_client_behind_a_proxy(instance, loaded):
    app = app_with(1)
    guesser, customer = behind_the_proxy(app, ATTACKER), behind_the_proxy(app, ADMIN)
    statuses = [guesser.get(f"/s/{'x' * 22}{i:02d}").status_code for i in range(25)]
    assert statuses[0] == 404 and statuses[-1] == 429
    assert customer.get(f"/s/{'y' * 24}").status_code == 404  # told "unknown", not "wait"


@pytest.mark.parametrize("value", [-1, 11, "one", True])
def test_a_wrong_trusted_proxies_setting_refuses_to_start(instance, value):
    with pytest.raises(ConfigurationError, match="TRUSTED_PROXIES"):
        app_with(value)


@pytest.mark.browser  # a real server
def test_the_access_log_names_the_client_behind_the_proxy(instance, loaded):
    server, port = start_serve("--workers", "1", logs=True, SURVEYAPP_TRUSTED_PROXIES="1")
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/j/cafe/meal", headers={"X-Forwarded-For": ATTACKER}
        )
        with urllib.request.urlopen(request) as response:
            assert response.status == 200
    finally:
        log = stop_server(server)
    assert f'{ATTACKER} "GET /j/cafe/meal HTTP/1.1" 200' in log
