"""Admin sessions end when they should: on the server, for every copy of the cookie."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest

from surveyapp import storage
from surveyapp.services import accounts
from tests.helpers import admin_log_in

PASSWORD = "correct horse battery"
LOGOUT_TOKEN = re.compile(r'id="logout-csrf" name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def maria(app, db):
    """Maria's browser, logged in, and a copy of its session cookie in another browser."""
    accounts.create(db, "maria", PASSWORD, "admin")
    browser = app.test_client()
    assert admin_log_in(browser, "maria", PASSWORD).status_code == 303
    thief = app.test_client()
    thief.set_cookie("session", browser.get_cookie("session").value)
    assert thief.get("/admin/").status_code == 200  # the copy works while the session lives
    return browser, thief


def log_out(browser):
    page = browser.get("/admin/").get_data(as_text=True)
    token = LOGOUT_TOKEN.search(page).group(1)
    return browser.post("/admin/logout", data={"csrf_token": token})


def test_logging_out_ends_the_session_for_a_copied_cookie_too(maria):
    browser, thief = maria
    assert log_out(browser).status_code == 303
    assert thief.get("/admin/").status_code == 302  # to the login page


def test_a_new_password_ends_every_session(maria, run_cli):
    browser, thief = maria
    result = run_cli("admin", "password", "maria", "--password-stdin", input="another long one\n")
    assert result.exit_code == 0, result.output
    assert browser.get("/admin/").status_code == 302 and thief.get("/admin/").status_code == 302
    fresh = browser.application.test_client()
    assert admin_log_in(fresh, "maria", "another long one").status_code == 303


def test_deleting_the_account_ends_the_session_for_a_copied_cookie_too(maria, db):
    _, thief = maria
    storage.accounts.delete_user(db, "maria")
    assert thief.get("/admin/").status_code == 302


def test_the_cookie_lasts_as_long_as_the_servers_session(app, db):
    accounts.create(db, "maria", PASSWORD, "admin")
    response = admin_log_in(app.test_client(), "maria", PASSWORD)
    cookie = response.headers["Set-Cookie"]
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    lifetime = expires - datetime.now(UTC)
    assert timedelta(hours=11, minutes=59) < lifetime <= timedelta(hours=12)


def test_the_server_refuses_a_session_past_its_twelve_hours(db, loaded):
    accounts.create(db, "maria", PASSWORD, "admin")
    user = storage.accounts.get_user(db, username="maria")
    token = accounts.start_session(db, user)
    assert accounts.session_user(db, token)["username"] == "maria"
    later = storage.utcnow() + timedelta(hours=accounts.SESSION_HOURS, minutes=1)
    assert accounts.session_user(db, token, now=later) is None
    assert accounts.session_user(db, "a made-up token") is None


@pytest.mark.parametrize(
    "target", ["/admin/\r\nSet-Cookie: x=1", "/admin/\x00", "/admin/\\\\evil.example", "//x.y"]
)
def test_a_next_with_control_characters_goes_safely_to_the_journeys(app, db, target):
    accounts.create(db, "maria", PASSWORD, "admin")
    client = app.test_client()
    page = client.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/admin/login",
        query_string={"next": target},
        data={"username": "maria", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/"


def test_a_get_never_changes_the_accounts_language(maria, db):
    browser, _ = maria
    browser.get("/admin/?lang=ro")
    assert storage.accounts.get_user(db, username="maria")["locale"] is None  # only the session
    assert '<html lang="ro">' in browser.get("/admin/").get_data(as_text=True)
    log_out(browser)  # a POST: now the account keeps the session's choice
    assert storage.accounts.get_user(db, username="maria")["locale"] == "ro"
