"""The interactive API reference at /api/v1/docs: the OpenAPI document drawn in the
browser by the renderer the app serves itself, under its own security policy, with no
request leaving the server, accessible, and readable without JavaScript."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from surveyapp.services import apikeys
from surveyapp.web.api import reference
from tests.test_page_quality import Pages, check_axe

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]


def test_the_reference_draws_every_endpoint_and_webhook_from_this_server_alone(
    browser, live_server
):
    context = browser.new_context()  # the page's own Content-Security-Policy holds
    page = context.new_page()
    hosts, refused = set(), []
    page.on("request", lambda r: hosts.add(urlsplit(r.url).netloc))
    page.on("console", lambda m: m.type == "error" and refused.append(m.text))
    page.on("response", lambda r: r.status >= 400 and refused.append(f"{r.status} {r.url}"))
    page.goto(f"{live_server}/api/v1/docs?lang=fr")
    operations = page.locator("#api-reference .opblock-summary-path")
    expect(operations.first).to_be_visible()
    # Swagger UI breaks long paths with zero-width spaces.
    drawn = {re.sub(r"[\s\u200b]+", "", p) for p in operations.all_inner_texts()}
    document = context.request.get(f"{live_server}/api/v1/openapi.json").json()
    assert drawn == set(document["paths"]) | set(document["webhooks"])
    expect(page.locator("#api-reference").get_by_text("Webhooks", exact=True)).to_be_visible()
    assert hosts == {urlsplit(live_server).netloc}  # no CDN, no online validator
    assert refused == []  # nothing blocked by the policy, no script error
    context.close()


def open_an_operation(page, nth: int = 0):
    """Expand the ``nth`` listing of journeys' operation, and press "Try it out"."""
    page.locator("#api-reference .opblock-get .opblock-summary").nth(nth).click()
    page.locator("#api-reference .try-out__btn").first.click()
    expect(page.locator("#api-reference .btn.execute")).to_be_visible()


def test_an_integrator_tries_a_call_with_her_key_from_the_reference(
    browser, live_server, db, loaded
):
    key = apikeys.create(db, "crm")
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server}/api/v1/docs?lang=en")
    page.locator("#api-reference .btn.authorize").first.click()
    page.locator(".dialog-ux input[type=text], .dialog-ux input[type=password]").fill(key)
    page.locator(".dialog-ux button.authorize").click()
    page.locator(".dialog-ux button.close-modal").click()
    summaries = page.locator("#api-reference .opblock-get .opblock-summary-path")
    listing = [re.sub(r"[\s\u200b]+", "", p) for p in summaries.all_inner_texts()]
    open_an_operation(page, listing.index("/journeys"))
    page.locator("#api-reference .btn.execute").click()
    status = page.locator("#api-reference .live-responses-table tbody .response-col_status")
    expect(status).to_have_text("200")
    expect(page.locator("#api-reference .live-responses-table")).to_contain_text("cafe")
    context.close()


def test_the_reference_passes_axe_and_its_page_the_nu_html_checker(browser, live_server, tmp_path):
    """axe-core on what the reader meets, drawn and opened; the Nu checker on the page
    this app serves (what Swagger UI draws inside it is Swagger UI's markup)."""
    pages = Pages(browser, live_server)
    page = pages.page
    for lang in ("fr", "ro", "en"):
        url = f"/api/v1/docs?lang={lang}"
        pages.sources[url] = pages.context.request.get(live_server + url).text()
        page.goto(live_server + url)
        expect(page.locator("#api-reference .opblock").first).to_be_visible()
        pages.violations.extend(check_axe(page, f"API reference ({lang})"))
        # An operation open for trying, a body to send, the schemas, the key's dialog.
        open_an_operation(page)
        page.locator("#api-reference .opblock-post .opblock-summary").first.click()
        expect(page.locator("#api-reference .opblock-post .opblock-body")).to_be_visible()
        page.locator("#api-reference .models-control").first.click()
        schemas = page.locator("#api-reference .models.is-open .json-schema-2020-12")
        expect(schemas.first).to_be_visible()
        page.locator("#api-reference .btn.authorize").first.click()
        expect(page.locator(".dialog-ux .modal-ux")).to_be_visible()
        pages.violations.extend(check_axe(page, f"API reference, opened ({lang})"))
    pages.check(tmp_path)


def test_without_javascript_the_reference_points_to_the_document(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/api/v1/docs?lang=ro")
    expect(page.locator("#api-reference-fallback")).to_contain_text("JavaScript")
    href = page.get_by_role("link", name=re.compile("openapi.json")).get_attribute("href")
    assert context.request.get(live_server + href).json()["openapi"].startswith("3.1")
    context.close()


def test_where_npm_did_not_install_it_the_page_says_so(app, monkeypatch):
    monkeypatch.setattr(reference, "RENDERER_FILES", ("not-installed.js",))
    page = app.test_client().get("/api/v1/docs?lang=fr").get_data(as_text=True)
    assert "n’est pas installée" in page and "swagger-ui" not in page
    assert 'href="/api/v1/openapi.json"' in page


def test_the_integrations_page_links_the_reference(app, db):
    from surveyapp.services import accounts
    from tests.helpers import admin_log_in

    accounts.create(db, "maria", "correct horse battery", "admin")
    client = app.test_client()
    admin_log_in(client, "maria", "correct horse battery", "fr")
    page = client.get("/admin/integrations").get_data(as_text=True)
    assert 'href="/api/v1/docs"' in page
