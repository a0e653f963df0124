"""Security by default: headers, link guessing, secret rotation, bandit, serve, backup."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from surveyapp import ConfigurationError, create_app, storage
from surveyapp.services import accounts
from tests.helpers import ROOT, SURVEYAPP, csrf_token, free_port, start_serve, stop_server


@pytest.mark.parametrize(
    "path", ["/", "/j/cafe/meal", "/admin/login", "/j/none/none", "/static/survey.css"]
)
def test_every_response_carries_the_safe_headers(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "default-src 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Frame-Options"] == "DENY"


def test_survey_pages_can_be_embedded_by_the_configured_origin_only(instance, loaded, token):
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "k", "EMBED_ORIGINS": ["https://www.cafe.example"]}
    )
    client = app.test_client()
    for path in ("/j/cafe/meal", f"/s/{token}"):
        headers = client.get(path).headers
        assert "frame-ancestors https://www.cafe.example" in headers["Content-Security-Policy"]
        assert "X-Frame-Options" not in headers
    admin = client.get("/admin/login").headers
    assert "frame-ancestors 'none'" in admin["Content-Security-Policy"]


def test_an_embedded_survey_can_be_answered_from_another_site(instance, loaded, token, db):
    # Browsers send a SameSite=Lax cookie to no cross-site frame: the form could not be sent.
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "k",
            "BASE_URL": "https://surveys.example.org",
            "EMBED_ORIGINS": ["https://www.cafe.example"],
        }
    )
    client = app.test_client()
    page = client.get(f"/s/{token}", base_url="https://surveys.example.org")
    cookie = page.headers["Set-Cookie"]
    assert "SameSite=None" in cookie and "Secure" in cookie and "Partitioned" in cookie
    answer = {"experience": "positive", "csrf_token": csrf_token(page.get_data(as_text=True))}
    done = client.post(f"/s/{token}", data=answer, base_url="https://surveys.example.org")
    assert done.status_code == 303 and storage.responses.count_responses(db) == 1
    # Without embedding, the cookie stays Lax.
    plain = create_app({"TESTING": True, "SECRET_KEY": "k"}).test_client()
    assert "SameSite=Lax" in plain.get("/j/cafe/meal").headers["Set-Cookie"]


@pytest.mark.parametrize(
    "origins", ["https://a.example", ["https://a.example; script-src *"], ["javascript:alert(1)"]]
)
def test_a_malformed_embed_origin_stops_the_app(instance, origins):
    with pytest.raises(ConfigurationError, match="EMBED_ORIGINS"):
        create_app({"TESTING": True, "EMBED_ORIGINS": origins})


def test_guessing_links_is_slowed_down_and_logged(app, token, caplog):
    guesser, customer = app.test_client(), app.test_client()
    for i in range(20):
        assert guesser.get(f"/s/{'A' * 21}{i % 10}").status_code == 404
    blocked = guesser.get(f"/s/{'B' * 22}")
    assert blocked.status_code == 429 and blocked.headers["Retry-After"] == "600"
    assert "too many unknown links from 127.0.0.1" in caplog.text
    other = customer.get(f"/s/{'B' * 22}", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 404  # another client is not slowed down
    assert customer.get(f"/s/{token}").status_code == 200


def test_a_survey_form_counts_only_with_the_csrf_cookie_of_the_browser_that_opened_it(
    app, db, token
):
    phone, attacker = app.test_client(), app.test_client()
    page = phone.get(f"/s/{token}")
    cookie = page.headers["Set-Cookie"]
    assert cookie.startswith("csrf_secret=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Max-Age=2592000" in cookie  # 30 days: it outlives every form shown meanwhile
    assert "Cookie" in page.headers["Vary"]  # the page carries this browser's token
    assert phone.get_cookie("session") is None  # customers need no signed session
    form = {"experience": "negative", "csrf_token": csrf_token(page.get_data(as_text=True))}

    # Another browser replaying the token, with no cookie or with a secret of its choosing.
    assert attacker.post(f"/s/{token}", data=form).status_code == 422
    attacker.set_cookie("csrf_secret", "0" * 40)
    assert attacker.post(f"/s/{token}", data=form).status_code == 422
    assert storage.responses.count_responses(db) == 0

    assert phone.post(f"/s/{token}", data=form).status_code == 303
    assert storage.responses.count_responses(db) == 1


def test_rotating_the_secret_key_logs_admins_out_but_keeps_survey_links(
    instance, loaded, db, token
):
    accounts.create(db, "maria", "correct horse battery", "admin")
    old = create_app({"TESTING": True, "SECRET_KEY": "old-key"}).test_client()
    page = old.get("/admin/login").get_data(as_text=True)
    old.post(
        "/admin/login",
        data={
            "username": "maria",
            "password": "correct horse battery",
            "csrf_token": csrf_token(page),
        },
    )
    assert old.get("/admin/").status_code == 200
    cookie = old.get_cookie("session")

    new = create_app({"TESTING": True, "SECRET_KEY": "new-key"}).test_client()
    new.set_cookie("session", cookie.value)
    assert new.get("/admin/").status_code == 302
    page = new.get(f"/s/{token}").get_data(as_text=True)
    done = new.post(f"/s/{token}", data={"experience": "positive", "csrf_token": csrf_token(page)})
    assert done.status_code == 303


def test_bandit_finds_nothing_in_the_package():
    bandit = Path(sys.executable).with_name("bandit")
    result = subprocess.run(
        [str(bandit), "-q", "-r", str(ROOT / "surveyapp")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout


def test_serve_refuses_to_start_without_a_secret_key(instance, monkeypatch):
    monkeypatch.delenv("SURVEYAPP_SECRET_KEY", raising=False)
    result = subprocess.run(
        [SURVEYAPP, "serve", "--port", str(free_port())], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 1
    assert "secrets.token_hex(32)" in result.stderr


def test_serve_answers_with_production_settings(instance, loaded):
    import urllib.request

    process, port = start_serve("--workers", "2", logs=True)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/j/cafe/meal") as response:
            assert response.status == 200
    finally:
        output = stop_server(process)
    assert "Booting worker" in output
    assert '"GET /j/cafe/meal HTTP/1.1" 200' in output  # the access log


@pytest.mark.sqlite_only
def test_backup_copies_the_live_database(run_cli, db, loaded, tmp_path, answer):
    answer("/j/cafe/meal", {"experience": "negative", "why": "froid"})
    target = tmp_path / "backup.db"
    result = run_cli("backup", target)
    assert result.exit_code == 0 and "backed up" in result.output
    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert copy.execute("SELECT COUNT(*) FROM responses").fetchone() == (1,)
    assert run_cli("backup", target).exit_code == 1  # never overwrites
    assert storage.responses.count_responses(db) == 1
