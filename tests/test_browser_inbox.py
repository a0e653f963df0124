"""The follow-up inbox in Debian's Chromium under a real gunicorn, with a real SMTP server:
a CX manager closes the loop on a moment of pain, and the customer answers the recovery
survey from the email they received."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from surveyapp import settings, storage
from surveyapp.services import accounts
from tests.helpers import (
    answers_living,
    invited_pain,
    log_in_in_french,
    mail_round,
    record_scored,
)


def test_a_manager_closes_the_loop_and_the_customer_says_it_was_made_right(
    browser, smtp_server, live_server, db
):
    accounts.create(db, "maria", "correct horse battery", "admin")
    customers = [f"client{i}@example.ro" for i in range(4)]
    for i, email in enumerate(customers):
        invited_pain(db, email=email, customer=f"C-{i}", hours_ago=5 - i)
    journey = storage.journeys.get_journey(db, "cafe")
    for _ in range(2):  # pains of another moment, which the filter leaves out
        record_scored(db, journey, "bill", answers_living(journey, "bill", "negative"))
    db.commit()

    # The manager's browser runs no JavaScript: the inbox works without it.
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    log_in_in_french(page, f"{live_server}/admin/j/cafe/followups")
    assert page.locator("#inbox-count").inner_text() == "6 éléments · page 1 sur 1"

    page.get_by_label("Moment", exact=True).select_option(label="Votre repas")
    page.get_by_role("button", name="Appliquer les filtres").click()
    page.wait_for_url("**moment=meal*")
    expect(page.locator("#inbox-count")).to_have_text(re.compile("^4 éléments"))
    assert "Votre repas" in page.locator(".active-filters").inner_text()

    boxes = page.locator("table.inbox tbody input[type=checkbox]")
    for i in range(3):
        boxes.nth(i).check()
    page.get_by_label("Action").select_option("assign")
    page.get_by_role("button", name="Appliquer aux éléments cochés").click()
    expect(page.get_by_role("status").filter(has_text="3 éléments modifiés")).to_be_visible()
    assert page.locator("table.inbox tbody td", has_text="maria").count() == 3
    assert "Votre repas" in page.locator(".active-filters").inner_text()  # still filtered

    # The sending worker's settings: the environment's, and the links of this server.
    worker = {**settings.load_settings(), "BASE_URL": live_server}
    page.locator("table.inbox tbody th a").first.click()  # the newest: client3
    page.get_by_label("Message").fill("Bună ziua, ne pare rău pentru așteptare. Vă sunăm mâine?")
    page.get_by_role("button", name="Envoyer l’e-mail").click()
    expect(page.get_by_text("L’e-mail est en route")).to_be_visible()
    assert mail_round(worker).sent == 1  # the sending worker's round
    page.reload()
    expect(page.get_by_text("a écrit à client3@example.ro")).to_be_visible()
    (contact,) = smtp_server.to("client3@example.ro")
    assert "Vă sunăm mâine?" in contact.get_content()

    page.get_by_role("combobox", name="Statut").select_option("resolved")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.get_by_role("button", name="Envoyer l’enquête de rattrapage").click()
    expect(page.get_by_text("L’enquête de rattrapage n’a pas encore été envoyée")).to_be_visible()
    assert mail_round(worker).sent == 1
    page.reload()
    expect(page.get_by_text("L’enquête de rattrapage a été envoyée à client3")).to_be_visible()
    asked = [m for m in smtp_server.to("client3@example.ro") if m is not contact]
    (question,) = asked
    link = re.search(
        r"http://\S+/r/[A-Za-z0-9_-]+", question.get_body(("plain",)).get_content()
    ).group(0)

    customer = browser.new_context(locale="ro-RO")
    phone = customer.new_page()
    phone.goto(link)
    assert phone.locator("h1").inner_text() == "Am reușit să îndreptăm lucrurile?"
    phone.get_by_label("Da").check()
    phone.get_by_role("button", name="Trimiteți răspunsul").click()
    expect(phone.locator("h1")).to_have_text("Mulțumim")
    customer.close()

    page.goto(f"{live_server}/admin/j/cafe")
    recovery = page.locator("h2#recovery + .table-wrap tbody tr", has_text="Votre repas")
    cells = recovery.locator("td").all_inner_texts()
    assert cells[0].startswith("100,0\u00a0%")  # 1 of 1 said yes, with its wide interval
    assert cells[1] == "1 sur 1"
    assert cells[2] == "2\u00a0heures"  # answered 2 hours ago, resolved now
    context.close()
