"""Two-factor sign-in for local accounts: turned on from one's own page with an
authenticator app (the secret from its QR code or its key), a code after the password,
once per code, recovery codes that work once, wrong codes slowed down, and required for
admins where the operator says so."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from playwright.sync_api import expect

from surveyapp import storage
from surveyapp.services import accounts
from surveyapp.web.app import create_app
from tests.helpers import admin_log_in, csrf_token, form_fields, sql
from tests.test_page_quality import Pages, check_axe

PASSWORD = "correct horse battery"
PAGE = "/admin/account/two-factor"


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True).replace("\u202f", " "))


def turned_on(client) -> tuple[pyotp.TOTP, list[str]]:
    """Turn two-factor sign-in on from the account page, as its owner would with an app
    that read the key: the app, and the recovery codes shown."""
    page = client.get(PAGE).get_data(as_text=True)
    app = pyotp.TOTP(re.search(r'id="secret">([^<]+)<', page).group(1).replace(" ", ""))
    fields = {**form_fields(page, "turn-on"), "action": "on", "code": app.now()}
    shown = client.post(PAGE, data=fields).get_data(as_text=True)
    return app, re.findall(r"<li><code>([a-z0-9-]+)</code></li>", shown)


def next_code(authenticator: pyotp.TOTP) -> str:
    """The app's code for the next 30 seconds (this one's was used to turn it on; a code
    one step away is still taken, clocks drift)."""
    return authenticator.at(storage.utcnow() + timedelta(seconds=authenticator.interval))


def log_in_with_code(client, code: str, lang: str = "fr"):
    """Password, then the code: the code page's answer."""
    asked = admin_log_in(client, "maria", PASSWORD, lang)
    assert asked.status_code == 303 and asked.headers["Location"].startswith("/admin/login/code")
    page = client.get(asked.headers["Location"]).get_data(as_text=True)
    return client.post("/admin/login/code", data={"csrf_token": csrf_token(page), "code": code})


def log_out(client) -> None:
    page = client.get("/admin/").get_data(as_text=True)
    client.post("/admin/logout", data={"csrf_token": csrf_token(page)})


@pytest.fixture
def maria(app, db):
    accounts.create(db, "maria", PASSWORD, "admin")
    client = app.test_client()
    assert admin_log_in(client, "maria", PASSWORD).status_code == 303
    return client


def test_once_on_a_sign_in_needs_a_code_and_each_code_works_once(app, db, maria):
    authenticator, codes = turned_on(maria)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "Codes de secours restants : 10." in text(maria.get(PAGE))
    log_out(maria)
    visitor = app.test_client()
    wrong = log_in_with_code(visitor, "000000" if authenticator.now() != "000000" else "111111")
    assert wrong.status_code == 422 and "n’est pas le bon" in text(wrong)
    assert visitor.get("/admin/").status_code == 302  # not signed in
    code = next_code(authenticator)
    right = log_in_with_code(visitor, code)
    assert right.status_code == 303 and visitor.get("/admin/").status_code == 200
    # The same code again, from another browser: refused (it was used).
    again = log_in_with_code(app.test_client(), code)
    assert again.status_code == 422


def test_a_recovery_code_signs_in_once_typed_any_way(app, db, maria):
    _, codes = turned_on(maria)
    typed = codes[3].upper().replace("-", " ")
    assert log_in_with_code(app.test_client(), typed).status_code == 303
    assert log_in_with_code(app.test_client(), codes[3]).status_code == 422
    assert storage.two_factor.codes_left(db, 1) == 9
    assert "user.recovery_code_used" in [r[0] for r in sql(db, "SELECT action FROM audit_log")]


def test_wrong_codes_make_the_next_ones_wait(app, db, maria):
    authenticator, _ = turned_on(maria)
    visitor = app.test_client()
    for _ in range(5):
        assert log_in_with_code(visitor, "12345x").status_code == 422
    refused = log_in_with_code(visitor, next_code(authenticator))
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0


def test_the_code_page_expires_and_needs_a_password_first(app, db, maria, monkeypatch):
    turned_on(maria)
    visitor = app.test_client()
    assert visitor.get("/admin/login/code").status_code == 303  # no password given
    admin_log_in(visitor, "maria", PASSWORD)
    import surveyapp.web.admin.auth as auth

    later = auth.time.time() + (auth.CODE_MINUTES + 1) * 60
    monkeypatch.setattr(auth.time, "time", lambda: later)
    assert visitor.get("/admin/login/code").headers["Location"].startswith("/admin/login")


def test_turning_it_off_needs_a_code(app, db, maria):
    authenticator, _ = turned_on(maria)
    page = maria.get(PAGE).get_data(as_text=True)
    fields = {**form_fields(page, "turn-off"), "action": "off", "code": "999999"}
    assert maria.post(PAGE, data=fields).status_code == 422
    assert maria.post(PAGE, data={**fields, "code": next_code(authenticator)}).status_code == 303
    assert "votre mot de passe seul" in text(maria.get(f"{PAGE}?off=1"))


def test_admins_must_set_it_up_where_the_operator_requires_it(instance, loaded, db):
    accounts.create(db, "maria", PASSWORD, "admin")
    accounts.create(db, "victor", PASSWORD, "viewer")
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "TWO_FACTOR_FOR_ADMINS": True})
    admin, viewer = app.test_client(), app.test_client()
    admin_log_in(admin, "maria", PASSWORD)
    admin_log_in(viewer, "victor", PASSWORD)
    sent = admin.get("/admin/j/cafe")
    assert sent.status_code == 303 and sent.headers["Location"].startswith(PAGE)
    assert viewer.get("/admin/j/cafe").status_code == 200
    turned_on(admin)
    assert admin.get("/admin/j/cafe").status_code == 200
    assert "ne peut donc pas être désactivée" in text(admin.get(PAGE))


@pytest.mark.browser
@pytest.mark.sqlite_only
def test_the_pages_pass_axe_and_the_nu_html_checker(browser, live_server, db, tmp_path):
    accounts.create(db, "maria", PASSWORD, "admin")
    pages = Pages(browser, live_server)
    page = pages.page
    page.goto(f"{live_server}/admin/login?lang=fr")
    page.fill("#username", "maria")
    page.fill("#password", PASSWORD)
    page.locator("main button").click()
    for lang in ("fr", "ro", "en"):
        pages.visit(f"{PAGE}?lang={lang}")
    secret = page.locator("#secret").inner_text().replace(" ", "")
    page.fill("#code", pyotp.TOTP(secret).now())
    page.locator("#turn-on button").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    pages.keep("recovery codes shown")
    pages.visit(f"{PAGE}?lang=ro")  # on
    page.locator("nav.admin-nav button").click()  # log out
    page.goto(f"{live_server}/admin/login?lang=ro")
    page.fill("#username", "maria")
    page.fill("#password", PASSWORD)
    page.locator("main button").click()
    expect(page.locator("#code")).to_be_visible()
    pages.keep("the code page")
    pages.violations.extend(check_axe(page, "the code page, again"))
    pages.check(tmp_path)
