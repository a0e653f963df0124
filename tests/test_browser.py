"""What a customer sees, in headless Chromium against a real gunicorn server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
SURVEYAPP = str(Path(sys.executable).with_name("surveyapp"))


def test_a_romanian_customer_answers_on_a_phone_and_the_answer_is_counted(
    browser, live_server, instance, tmp_path
):
    context = browser.new_context(
        locale="ro-RO", viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    page = context.new_page()
    page.goto(f"{live_server}/j/cafe/meal")
    assert page.locator("html").get_attribute("lang") == "ro"
    assert page.locator("h1").inner_text() == "Masa dumneavoastră"

    page.get_by_label("Rău").check()
    page.get_by_label("Nemulțumit", exact=True).check()
    page.get_by_label("De ce? Spuneți-ne în câteva cuvinte.").fill("Supa a venit rece.")
    page.screenshot(path=str(tmp_path / "survey-ro.png"), full_page=True)
    page.get_by_role("button", name="Trimite răspunsurile").click()

    assert page.locator("h1").inner_text() == "Vă mulțumim!"
    assert "„Masa dumneavoastră” a fost înregistrat" in page.content()
    context.close()

    result = subprocess.run(
        [SURVEYAPP, "scores", "cafe", "--format", "json"],
        capture_output=True,
        text=True,
        env=os.environ,
        check=True,
    )
    meal = next(m for m in json.loads(result.stdout)["moments"] if m["id"] == "meal")
    assert (meal["responses"], meal["negative"], meal["csat_mean"]) == (1, 1, 2.0)


def test_a_forgotten_answer_is_pointed_out_in_the_customers_language(browser, live_server):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.goto(f"{live_server}/j/saas-onboarding/recommendation")
    page.get_by_role("button", name="Envoyer mes réponses").click()
    alert = page.get_by_role("alert")
    assert "Certaines réponses demandent votre attention" in alert.inner_text()
    alert.get_by_role("link").click()
    assert page.url.endswith("#q-recommend")
    assert page.locator("#recommend-error").inner_text() == "Ce champ est requis."
    context.close()


def one_click_link(message, label):
    import re

    html = message.get_body(("html",)).get_content()
    return re.search(rf'href="([^"]+)"[^>]*>{label}</a>', html).group(1)


def meal_scores():
    result = subprocess.run(
        [SURVEYAPP, "scores", "cafe", "--format", "json"],
        capture_output=True,
        text=True,
        env=os.environ,
        check=True,
    )
    return next(m for m in json.loads(result.stdout)["moments"] if m["id"] == "meal")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_customer_follows_the_emailed_link_in_romanian(
    browser, live_server, smtp_server, monkeypatch, javascript
):
    monkeypatch.setenv("SURVEYAPP_BASE_URL", live_server)
    subprocess.run(
        [
            SURVEYAPP,
            "invite",
            "cafe",
            "meal",
            "--customer",
            "C-1042",
            "--email",
            "ana@example.ro",
            "--locale",
            "ro",
            "--send",
        ],
        env=os.environ,
        check=True,
        capture_output=True,
    )
    (message,) = smtp_server.to("ana@example.ro")
    assert message["Subject"] == "Café des Arts: cum a fost? „Masa dumneavoastră”"
    link = one_click_link(message, "Rău")
    assert link.startswith(f"{live_server}/s/") and link.endswith("?a=negative")

    context = browser.new_context(locale="fr-FR", java_script_enabled=javascript)
    page = context.new_page()
    page.goto(link)
    assert page.locator("html").get_attribute("lang") == "ro"  # the invitation's language
    assert page.get_by_label("Rău").is_checked()
    if javascript:
        with page.expect_response(lambda r: r.url.endswith("/first")) as recorded:
            page.mouse.move(100, 200)  # a person is here: the one-click answer is recorded
        assert recorded.value.status == 204
        assert (meal_scores()["responses"], meal_scores()["negative"]) == (1, 1)
    else:
        assert meal_scores()["responses"] == 0  # opening the link recorded nothing

    page.get_by_label("Nemulțumit", exact=True).check()
    page.get_by_label("De ce? Spuneți-ne în câteva cuvinte.").fill("Am așteptat 40 de minute.")
    page.get_by_role("button", name="Trimite răspunsurile").click()
    assert page.locator("h1").inner_text() == "Vă mulțumim!"
    page.goto(link)
    assert page.locator("h1").inner_text() == "Ați răspuns deja"
    context.close()

    meal = meal_scores()
    assert (meal["responses"], meal["negative"], meal["csat_mean"]) == (1, 1, 2.0)
