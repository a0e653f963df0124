"""Single sign-on with OpenID Connect, against a real provider on 127.0.0.1
(oidc-provider-mock): accounts made at first sign-in or only when invited, roles from a
claim, a refused domain, a tampered state, passwords turned off, sign-out."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import oidc_provider_mock
import pytest
from playwright.sync_api import expect

from surveyapp import create_app, storage
from tests.helpers import sql, start_gunicorn, stop_server

BUTTON = "Se connecter avec Example SSO"


@pytest.fixture
def provider():
    """An OpenID Connect provider on this machine; ``provider.user(sub, **claims)``."""
    with oidc_provider_mock.run_server_in_thread() as server:
        yield Provider(f"http://localhost:{server.server_port}")


class Provider:
    def __init__(self, issuer: str):
        self.issuer = issuer

    def user(self, sub: str, **claims) -> None:
        """The claims the provider gives ``sub`` (its email, name, roles)."""
        put = urllib.request.Request(
            f"{self.issuer}/users/{sub}",
            data=json.dumps({"email": sub, **claims}).encode(),
            method="PUT",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(put, timeout=10) as answer:  # noqa: S310 - our provider
            assert answer.status == 204

    def authorize(self, url: str, sub: str) -> str:
        """Sign ``sub`` in on the provider's form; where it sends the browser back."""
        form = urllib.request.Request(url, data=f"sub={sub}".encode(), method="POST")
        try:
            urllib.request.build_opener(_NoRedirect).open(form, timeout=10)  # noqa: S310
        except urllib.error.HTTPError as redirected:
            assert redirected.code in (302, 303)
            return redirected.headers["Location"]
        raise AssertionError("the provider did not send the browser back")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def settings(provider: Provider, **more) -> dict[str, str]:
    return {
        "SURVEYAPP_OIDC_ISSUER": provider.issuer,
        "SURVEYAPP_OIDC_CLIENT_ID": "surveyapp",
        "SURVEYAPP_OIDC_CLIENT_SECRET": "provider-made-secret",
        "SURVEYAPP_OIDC_NAME": "Example SSO",
        "SURVEYAPP_OIDC_ALLOWED_DOMAINS": '["example.com"]',
        **more,
    }


@pytest.fixture
def sso_app(instance, loaded, provider, monkeypatch):
    def make(**more):
        for name, value in settings(provider, **more).items():
            monkeypatch.setenv(name, value)
        return create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-for-this-test"})

    return make


def sign_in_through(provider: Provider, client, sub: str):
    """What a browser does: the button, the provider's form, the way back."""
    started = client.get("/admin/login/sso?lang=fr")
    assert started.status_code == 303
    back = provider.authorize(started.headers["Location"], sub)
    parts = urlsplit(back)
    return client.get(f"{parts.path}?{parts.query}")


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True).replace("\u202f", " "))


def test_an_invited_viewer_signs_in_with_the_role_the_provider_gives(
    sso_app, provider, db, manager
):
    app = sso_app(SURVEYAPP_OIDC_NEW_ACCOUNTS="false")
    provider.user("ion@example.com", name="Ion", roles=["surveyapp-viewer:cafe"])
    provider.user("ana@example.com", name="Ana", roles=["surveyapp-admin"])
    from surveyapp.services import users

    users.create(
        db,
        username="ion",
        email="Ion@Example.com",
        role="admin",
        journeys=None,
        known_journeys=["cafe"],
        by="maria",
    )
    client = app.test_client()
    signed = sign_in_through(provider, client, "ion@example.com")
    assert signed.status_code == 303
    ion = storage.accounts.get_user(db, username="ion")
    assert ion["role"] == "viewer" and json.loads(ion["journeys"]) == ["cafe"]
    assert client.get("/admin/j/cafe").status_code == 200
    assert client.get("/admin/j/saas-onboarding").status_code == 403
    # Not invited: no account is made.
    refused = sign_in_through(provider, app.test_client(), "ana@example.com")
    assert refused.status_code == 403
    assert "Aucun compte n’a cette adresse e-mail" in text(refused)
    assert storage.accounts.user_by_email(db, "ana@example.com") is None


def test_a_disabled_account_and_an_account_without_a_role_stay_out(sso_app, provider, db):
    app = sso_app()
    provider.user("dan@example.com", roles=["other-app-user"])
    refused = sign_in_through(provider, app.test_client(), "dan@example.com")
    assert refused.status_code == 403 and "n’a aucun rôle dans ce service" in text(refused)
    provider.user("eva@example.com", roles=["surveyapp-admin"])
    assert sign_in_through(provider, app.test_client(), "eva@example.com").status_code == 303
    sql(db, "UPDATE users SET disabled_at = '2026-01-01T00:00:00.000000Z'")
    again = sign_in_through(provider, app.test_client(), "eva@example.com")
    assert again.status_code == 403 and "Ce compte est désactivé" in text(again)


def test_passwords_turned_off_leave_only_the_providers_button(sso_app, provider, db):
    app = sso_app(SURVEYAPP_LOCAL_PASSWORDS="false")
    from surveyapp.services import accounts

    accounts.create(db, "maria", "correct horse battery staple 42", "admin")
    client = app.test_client()
    page = text(client.get("/admin/login?lang=fr"))
    assert BUTTON in page and 'type="password"' not in page
    refused = client.post(
        "/admin/login?lang=fr",
        data={"username": "maria", "password": "correct horse battery staple 42"},
    )
    assert refused.status_code == 403 and "Les mots de passe sont désactivés" in text(refused)
    assert client.get("/admin/forgot").status_code == 404


def test_a_provider_at_a_private_address_is_refused_unless_allowed(sso_app, provider, db):
    app = sso_app(SURVEYAPP_OUTGOING_ALLOWED_HOSTS="[]")
    started = app.test_client().get("/admin/login/sso?lang=fr")
    assert started.status_code == 503
    assert "Le fournisseur d’identité n’a pas pu être joint" in text(started)


@pytest.mark.browser
def test_a_manager_signs_in_through_the_provider_in_chromium_and_out_again(
    browser, instance, loaded, provider, db, tmp_path
):
    from tests.test_page_quality import assert_valid_html, check_axe

    provider.user("maria@example.com", name="Maria", roles=["surveyapp-admin"])
    provider.user("eve@evil.example", name="Eve", roles=["surveyapp-admin"])
    server, port = start_gunicorn(**settings(provider))
    context = browser.new_context(locale="fr-FR", bypass_csp=True)  # axe is injected inline
    page = context.new_page()
    problems, sources = [], {}
    try:
        page.goto(f"http://127.0.0.1:{port}/admin/")
        sources["login"] = page.content()  # before axe is injected into it
        problems += check_axe(page, "the login page with its provider's button")
        page.get_by_role("link", name=BUTTON).click()
        page.get_by_placeholder("sub").fill("maria@example.com")
        page.get_by_role("button", name="Authorize").click()
        expect(page).to_have_url(f"http://127.0.0.1:{port}/admin/")
        assert page.get_by_role("link", name="Comptes").is_visible()  # an admin's page
        maria = storage.accounts.user_by_email(db, "maria@example.com")
        assert maria["role"] == "admin" and maria["username"] == "maria"
        page.get_by_role("button", name="Se déconnecter").click()
        page.goto(f"http://127.0.0.1:{port}/admin/")
        assert "/admin/login" in page.url  # the local session ended

        # A domain the operator did not allow.
        page.get_by_role("link", name=BUTTON).click()
        page.get_by_placeholder("sub").fill("eve@evil.example")
        page.get_by_role("button", name="Authorize").click()
        expect(page).to_have_url(re.compile(r".*/admin/login/sso/callback.*"))
        assert "Les comptes de evil.example ne peuvent pas se connecter ici" in page.content()
        sources["refused"] = page.content()
        problems += check_axe(page, "a refused sign-in")
        assert storage.accounts.user_by_email(db, "eve@evil.example") is None

        # A state changed on its way through the provider (another site's forged sign-in):
        # the provider's form is sent with another state, which it hands back.
        def tampered(route):
            if route.request.method != "POST":
                return route.continue_()
            url = re.sub(r"state=[^&]+", "state=forged", route.request.url)
            return route.continue_(url=url)

        page.route(re.compile(r".*/oauth2/authorize.*"), tampered)
        page.goto(f"http://127.0.0.1:{port}/admin/login")
        page.get_by_role("link", name=BUTTON).click()
        page.get_by_placeholder("sub").fill("maria@example.com")
        page.get_by_role("button", name="Authorize").click()
        expect(page).to_have_url(re.compile(r".*/admin/login/sso/callback.*"))
        assert "Cette connexion n’a pas été commencée ici" in page.content()
        page.goto(f"http://127.0.0.1:{port}/admin/")
        assert "/admin/login" in page.url
        assert problems == []
        assert_valid_html(sources, tmp_path)
    finally:
        context.close()
        stop_server(server)


def test_an_identity_not_signed_by_the_provider_is_refused(sso_app, provider):
    """A token with every right claim, signed by a key that is not the provider's."""
    import time

    from joserfc import jwt
    from joserfc.jwk import RSAKey

    from surveyapp.services import sso

    app = sso_app()
    with app.app_context():
        chosen = sso.Provider.from_config(app.config)
        config = sso.discovery(chosen)
    now = int(time.time())
    claims = {
        "iss": chosen.issuer,
        "aud": chosen.client_id,
        "sub": "maria@example.com",
        "email": "maria@example.com",
        "roles": ["surveyapp-admin"],
        "nonce": "n-1",
        "iat": now,
        "exp": now + 300,
    }
    forged = jwt.encode({"alg": "RS256", "kid": "forged"}, claims, RSAKey.generate_key(2048))
    with pytest.raises(sso.Refused, match="could not be verified"):
        sso.verified(chosen, config, forged, "n-1")
