"""Contacting the customer from a follow-up: an email in their language, queued by the
page and sent by the sending worker over real SMTP (aiosmtpd), kept in the item's
history; tried again when it fails, set aside after its last attempt with *Try again*;
never for an anonymous answer."""

from __future__ import annotations

import re

from surveyapp import storage
from tests.helpers import (
    answers_living,
    csrf_token,
    form_fields,
    invited_pain,
    mail_round,
    record_scored,
    sql,
)

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
    assert "À : ana@example.ro, en roumain" in page
    assert "Vă mulțumim" in page  # the draft is in the customer's language
    sent = send(mailing_manager, item, body="Bună ziua, ne pare rău. Vă sunăm mâine?")
    assert sent.status_code == 303
    assert smtp_server.messages == []  # the page only queues: the worker sends
    page = text(mailing_manager.get(sent.headers["Location"]))
    assert "L’e-mail est en route" in page and "en attente d’envoi" in page
    assert mail_round(mailing_app.config).sent == 1
    (message,) = smtp_server.to("ana@example.ro")
    assert message["Content-Language"] == "ro"
    assert "Masa dumneavoastră" in message["Subject"]
    assert "Vă sunăm mâine?" in message.get_content()
    found = storage.inbox.followup_item(db, "cafe", item)
    assert found["status"] == "contacted"
    page = text(mailing_manager.get(f"{INBOX}/{item}"))
    assert "E-mails pas encore envoyés" not in page
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
    mail_round(mailing_app.config)
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


def test_an_email_that_cannot_be_sent_is_tried_again_then_set_aside_with_try_again(
    mailing_app, mailing_manager, smtp_server, db
):
    item = invited_pain(db)
    assert send(mailing_manager, item).status_code == 303
    mailing_app.config["SMTP_PORT"] = smtp_server.port + 1  # nobody listens there
    assert mail_round(mailing_app.config).failed == 1
    page = text(mailing_manager.get(f"{INBOX}/{item}"))
    assert "échec après 1 tentative (le serveur de messagerie a refusé la connexion" in page
    assert "nouvel essai dans 60 secondes" in page  # mailer.RETRY_AFTER[0]
    assert storage.inbox.history(db, item) == []
    assert storage.inbox.followup_item(db, "cafe", item)["status"] == "open"
    for _ in range(4):  # each wait over: its next attempt fails too
        sql(db, "UPDATE customer_emails SET next_attempt_at = '2000-01-01T00:00:00Z'")
        assert mail_round(mailing_app.config).failed == 1
    assert mail_round(mailing_app.config).failed == 0  # set aside: never tried again by itself
    page = mailing_manager.get(f"{INBOX}/{item}")
    assert "échec après 5 tentatives (le serveur de messagerie a refusé la connexion" in text(page)
    assert "envoi mis de côté" in text(page)
    page = page.get_data(as_text=True)
    inbox = text(mailing_manager.get(INBOX))
    assert "1 e-mail à un client n’a pas pu être envoyé" in inbox

    mailing_app.config["SMTP_PORT"] = smtp_server.port
    (email_id,) = [e["id"] for e in storage.customer_emails.of_followup(db, item)]
    retried = mailing_manager.post(
        f"{INBOX}/{item}/emails/{email_id}/retry", data={"csrf_token": csrf_token(page)}
    )
    assert retried.status_code == 303
    assert mail_round(mailing_app.config).sent == 1
    assert len(smtp_server.to("ana@example.ro")) == 1
    assert storage.inbox.followup_item(db, "cafe", item)["status"] == "contacted"
    assert "E-mails pas encore envoyés" not in text(mailing_manager.get(f"{INBOX}/{item}"))
    again = mailing_manager.post(  # nothing set aside any more: nothing is sent again
        f"{INBOX}/{item}/emails/{email_id}/retry", data={"csrf_token": csrf_token(page)}
    )
    assert again.status_code == 409
    assert mail_round(mailing_app.config).sent == 0


def test_one_email_that_fails_does_not_hold_up_the_others(
    mailing_app, mailing_manager, smtp_server, db
):
    refused = invited_pain(db, email="refuse@example.org", customer="C-9")
    item = invited_pain(db, customer="C-2")
    smtp_server.refuse.add("refuse@example.org")
    assert send(mailing_manager, refused).status_code == 303
    assert send(mailing_manager, item).status_code == 303
    report = mail_round(mailing_app.config)
    assert (report.sent, report.failed) == (1, 1)
    assert len(smtp_server.to("ana@example.ro")) == 1
    page = text(mailing_manager.get(f"{INBOX}/{refused}"))
    assert "le destinataire a été refusé (550" in page


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


def test_the_sending_command_sends_the_emails_the_item_pages_queued(
    mailing_app, mailing_manager, smtp_server, db, run_cli
):
    item = invited_pain(db)
    assert send(mailing_manager, item, subject="Despre masa de ieri").status_code == 303
    result = run_cli("send", "--queued")  # one round of `surveyapp send --queued --loop`
    assert "sent 1, failed 0" in result.output
    (message,) = smtp_server.to("ana@example.ro")
    assert message["Subject"] == "Despre masa de ieri"


def test_a_customer_who_asked_to_be_phoned_gets_a_call_not_an_email_draft(
    mailing_manager, smtp_server, db
):
    item = invited_pain(db)
    storage.followups.leave_contact(
        db,
        item,
        "+40 721 234 567",
        {
            "journey_id": "cafe",
            "moment_id": "meal",
            "day": storage.utcnow().date().isoformat(),
            "locale": "ro",
            "channel": "email",
        },
    )
    raw = mailing_manager.get(f"{INBOX}/{item}").get_data(as_text=True)
    page = text(mailing_manager.get(f"{INBOX}/{item}"))
    assert "Le client a demandé à être rappelé au +40 721 234 567." in page
    assert 'href="tel:+40721234567"' in raw
    assert 'id="contact"' not in raw  # no email draft that asks when to call
    called = mailing_manager.post(
        f"{INBOX}/{item}/called",
        data={**form_fields(raw, "call"), "note": "Rappel demain, geste offert"},
    )
    assert called.status_code == 303
    page = text(mailing_manager.get(called.headers["Location"]))
    assert "L’appel est conservé dans l’historique" in page
    assert "a appelé le +40 721 234 567 : Rappel demain, geste offert" in page
    assert storage.inbox.followup_item(db, "cafe", item)["status"] == "contacted"
    assert smtp_server.messages == []


def test_a_call_is_refused_for_a_customer_who_left_no_phone(mailing_manager, db):
    item = invited_pain(db)  # an email, no phone
    raw = mailing_manager.get(f"{INBOX}/{item}").get_data(as_text=True)
    refused = mailing_manager.post(f"{INBOX}/{item}/called", data={"csrf_token": csrf_token(raw)})
    assert refused.status_code == 422
    assert storage.inbox.history(db, item) == []
