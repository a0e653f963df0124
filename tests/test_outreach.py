"""Contacting the customer from a follow-up: an email in their language over real SMTP
(aiosmtpd), kept in the item's history; never for an anonymous answer."""

from __future__ import annotations

import re

from surveyapp import storage
from tests.helpers import answers_living, form_fields, invited_pain, record_scored

INBOX = "/admin/j/cafe/followups"


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True).replace("\u202f", " "))


def send(client, item, **changes):
    page = client.get(f"{INBOX}/{item}").get_data(as_text=True)
    fields = {**form_fields(page, "contact"), **changes}
    return client.post(f"{INBOX}/{item}/contact", data=fields)


def test_a_manager_emails_the_customer_in_their_language_and_it_is_kept(
    mailing_app, mailing_manager, smtp_server, db
):
    item = invited_pain(db)
    page = text(mailing_manager.get(f"{INBOX}/{item}"))
    assert "À : ana@example.ro, en Română" in page
    assert "Vă mulțumim" in page  # the draft is in the customer's language
    sent = send(mailing_manager, item, body="Bună ziua, ne pare rău. Vă sunăm mâine?")
    assert sent.status_code == 303
    (message,) = smtp_server.to("ana@example.ro")
    assert message["Content-Language"] == "ro"
    assert "Masa dumneavoastră" in message["Subject"]
    assert "Vă sunăm mâine?" in message.get_content()
    found = storage.inbox.followup_item(db, "cafe", item)
    assert found["status"] == "contacted"
    page = text(mailing_manager.get(sent.headers["Location"]))
    assert "L’e-mail a été envoyé" in page
    assert "a écrit à ana@example.ro" in page and "Vă sunăm mâine?" in page


def test_the_contact_a_customer_left_comes_before_their_invitations_email(
    mailing_app, mailing_manager, smtp_server, db
):
    item = invited_pain(db)
    storage.followups.leave_contact(
        db,
        item,
        "ana.popescu@example.com",
        {
            "journey_id": "cafe",
            "moment_id": "meal",
            "day": storage.utcnow().date().isoformat(),
            "locale": "ro",
            "channel": "email",
        },
    )
    assert send(mailing_manager, item).status_code == 303
    assert len(smtp_server.to("ana.popescu@example.com")) == 1
    assert smtp_server.to("ana@example.ro") == []


def test_an_anonymous_customer_cannot_be_contacted_and_the_page_says_why(
    mailing_manager, smtp_server, db
):
    journey = storage.journeys.get_journey(db, "cafe")
    item = record_scored(db, journey, "meal", answers_living(journey, "meal", "negative"))
    page = mailing_manager.get(f"{INBOX}/{item}").get_data(as_text=True)
    assert 'id="contact"' not in page
    assert "anonyme" in text(mailing_manager.get(f"{INBOX}/{item}"))
    token = form_fields(page, "item")["csrf_token"]
    refused = mailing_manager.post(
        f"{INBOX}/{item}/contact", data={"csrf_token": token, "subject": "x", "body": "y"}
    )
    assert refused.status_code == 422
    assert smtp_server.messages == []
    assert storage.inbox.history(db, item) == []


def test_an_email_that_cannot_be_sent_changes_nothing_and_says_why(
    mailing_app, mailing_manager, smtp_server, db, monkeypatch
):
    item = invited_pain(db)
    page = mailing_manager.get(f"{INBOX}/{item}").get_data(as_text=True)
    fields = form_fields(page, "contact")
    mailing_app.config["SMTP_PORT"] = smtp_server.port + 1  # nobody listens there
    failed = mailing_manager.post(f"{INBOX}/{item}/contact", data=fields)
    assert failed.status_code == 503
    assert "L’e-mail n’a pas pu être envoyé" in text(failed)
    assert storage.inbox.history(db, item) == []
    assert storage.inbox.followup_item(db, "cafe", item)["status"] == "open"


def test_without_email_settings_the_page_says_what_the_operator_must_set(manager, app, db):
    item = invited_pain(db)
    page = text(manager.get(f"{INBOX}/{item}"))
    assert "MAIL_FROM" in page and 'id="contact"' not in page


def test_a_forged_or_empty_email_is_refused_and_nothing_is_sent(
    mailing_app, mailing_manager, smtp_server, db
):
    item = invited_pain(db)
    assert send(mailing_manager, item, csrf_token="forged").status_code == 422
    assert send(mailing_manager, item, body="").status_code == 422
    assert send(mailing_manager, item, subject="x" * 201).status_code == 422
    assert smtp_server.messages == []
