"""The recovery loop: after a moment of pain was resolved, "Did we make it right?" by a
personal single-use link, its answer linked to the pain, and the figures per moment."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from surveyapp import storage
from surveyapp.services import inbox, recovery
from tests.helpers import csrf_token, form_fields, invited_pain, mail_round, sql

INBOX = "/admin/j/cafe/followups"


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True).replace("\u202f", " "))


def resolved_pain(db, email="ana@example.ro", hours_ago=30, customer="C-1"):
    """An invited customer's moment of pain, resolved now, ``hours_ago`` after it came."""
    item = invited_pain(db, email=email, customer=customer, hours_ago=hours_ago)
    storage.followups.update_followup(db, item, by="maria", status="resolved")
    return item


def ask(client, item):
    page = client.get(f"{INBOX}/{item}").get_data(as_text=True)
    return client.post(f"{INBOX}/{item}/recovery", data={"csrf_token": csrf_token(page)})


def link_in(message) -> str:
    plain = message.get_body(("plain",)).get_content()
    return re.search(r"http://[^/\s]+(/r/[A-Za-z0-9_-]+)", plain).group(1)


def test_a_resolved_pain_is_asked_did_we_make_it_right_and_counts_once(
    mailing_app, mailing_manager, smtp_server, db
):
    item = resolved_pain(db)
    assert "Envoyer l’enquête de rattrapage" in text(mailing_manager.get(f"{INBOX}/{item}"))
    assert ask(mailing_manager, item).status_code == 303
    page = text(mailing_manager.get(f"{INBOX}/{item}"))
    assert "L’enquête de rattrapage n’a pas encore été envoyée" in page
    assert "Envoyer l’enquête de rattrapage" not in page
    assert mail_round(mailing_app.config).sent == 1
    (message,) = smtp_server.to("ana@example.ro")
    assert message["Subject"] == "Café des Arts: am reușit să îndreptăm lucrurile?"
    assert "funcționează o singură dată" in message.get_body(("plain",)).get_content()
    link = link_in(message)
    # Its HTML is under the café's brand, with the same link as a button.
    html = message.get_body(("html",)).get_content()
    assert '<html lang="ro">' in html and 'alt="Café des Arts"' in html  # its logo
    assert link in html
    assert "Am reușit să îndreptăm lucrurile?" in html

    customer = mailing_app.test_client()
    page = customer.get(link)  # a GET (a mail scanner) records nothing
    assert '<html lang="ro">' in page.get_data(as_text=True)
    assert 'alt="Café des Arts"' in page.get_data(as_text=True)  # under its brand's logo
    assert "Am reușit să îndreptăm lucrurile?" in text(page)
    assert storage.recoveries.recovery_of(db, item)["answer"] is None
    fields = form_fields(page.get_data(as_text=True), "survey")
    answered = customer.post(link, data={**fields, "answer": "yes"})
    assert answered.status_code == 303
    assert "Vă mulțumim" in text(customer.get(answered.headers["Location"]))
    again = customer.post(link, data={**fields, "answer": "no"})  # the link takes one answer
    assert again.status_code == 303
    assert storage.recoveries.recovery_of(db, item)["answer"] == "yes"

    page = text(mailing_manager.get(f"{INBOX}/{item}"))
    assert "Le client a répondu : Oui." in page
    assert "le client a répondu à l’enquête de rattrapage : Oui" in page
    dashboard = text(mailing_manager.get("/admin/j/cafe"))
    board = dashboard[dashboard.index("Rattrapage après le suivi") :]
    assert "100,0 %" in board and "1 sur 1" in board
    assert "30 heures" in board  # the median time to resolution
    insights = text(mailing_manager.get("/admin/j/cafe/insights"))
    assert "Rattrapage après le suivi" in insights


def test_the_recovery_survey_waits_until_the_item_is_resolved(mailing_manager, smtp_server, db):
    item = resolved_pain(db)
    storage.followups.update_followup(db, item, by="maria", status="contacted")
    page = text(mailing_manager.get(f"{INBOX}/{item}"))
    assert "Une fois l’élément résolu" in page
    assert ask(mailing_manager, item).status_code == 422
    assert smtp_server.messages == [] and storage.recoveries.recovery_of(db, item) is None


def test_a_recovery_survey_is_sent_once(mailing_app, mailing_manager, smtp_server, db):
    item = resolved_pain(db)
    page = mailing_manager.get(f"{INBOX}/{item}").get_data(as_text=True)
    token = csrf_token(page)
    first = mailing_manager.post(f"{INBOX}/{item}/recovery", data={"csrf_token": token})
    second = mailing_manager.post(f"{INBOX}/{item}/recovery", data={"csrf_token": token})
    assert (first.status_code, second.status_code) == (303, 409)  # queued, not sent yet
    mail_round(mailing_app.config)
    third = mailing_manager.post(f"{INBOX}/{item}/recovery", data={"csrf_token": token})
    assert third.status_code == 409  # sent
    mail_round(mailing_app.config)
    assert len(smtp_server.messages) == 1


def test_a_recovery_survey_that_cannot_be_sent_leaves_no_link_and_is_tried_again(
    mailing_app, mailing_manager, smtp_server, db
):
    item = resolved_pain(db)
    assert ask(mailing_manager, item).status_code == 303
    mailing_app.config["SMTP_PORT"] = smtp_server.port + 1  # nobody listens there
    assert mail_round(mailing_app.config).failed == 1
    assert storage.recoveries.recovery_of(db, item) is None  # no link that was never sent
    assert [e["action"] for e in storage.inbox.history(db, item)] == ["status"]
    assert "échec après 1 tentative" in text(mailing_manager.get(f"{INBOX}/{item}"))

    mailing_app.config["SMTP_PORT"] = smtp_server.port
    sql(db, "UPDATE customer_emails SET next_attempt_at = '2000-01-01T00:00:00Z'")
    assert mail_round(mailing_app.config).sent == 1
    link = link_in(smtp_server.to("ana@example.ro")[0])
    customer = mailing_app.test_client()
    assert "Am reușit să îndreptăm lucrurile?" in text(customer.get(link))


def test_a_recovery_taken_again_after_its_worker_stopped_sends_one_working_link(
    mailing_app, mailing_manager, smtp_server, db
):
    item = resolved_pain(db)
    assert ask(mailing_manager, item).status_code == 303
    # A worker took it, kept its link, and stopped before sending: its lease runs out.
    with storage.connect(mailing_app.config["DATABASE"]) as other:
        assert len(storage.customer_emails.take(other, storage.utcnow(), limit=5, attempts=5)) == 1
        journey = storage.journeys.get_journey(other, "cafe")
        found = inbox.item(other, journey, item, "ro")
        recovery.start(other, journey, found, to="ana@example.ro", by="maria", base_url="x")
    sql(db, "UPDATE customer_emails SET next_attempt_at = '2000-01-01T00:00:00Z'")
    assert mail_round(mailing_app.config).sent == 1
    (message,) = smtp_server.to("ana@example.ro")
    assert "Am reușit" in text(mailing_app.test_client().get(link_in(message)))
    assert [e["action"] for e in storage.inbox.history(db, item)] == ["status", "recovery"]


def test_a_tampered_expired_or_unknown_recovery_link_records_nothing(
    mailing_app, mailing_manager, smtp_server, db
):
    item = resolved_pain(db)
    ask(mailing_manager, item)
    mail_round(mailing_app.config)
    link = link_in(smtp_server.messages[0])
    customer = mailing_app.test_client()
    assert customer.get(link[:-2] + "xx").status_code == 404
    assert customer.get("/r/not a token").status_code == 404
    sql(db, "UPDATE recoveries SET expires_at = '2000-01-01T00:00:00Z'")
    db.commit()
    assert customer.get(link).status_code == 410
    assert customer.post(link, data={"answer": "yes"}).status_code == 410
    assert storage.recoveries.recovery_of(db, item)["answer"] is None


def test_a_recovery_answer_without_its_token_or_a_choice_is_refused(
    mailing_app, mailing_manager, smtp_server, db
):
    item = resolved_pain(db)
    ask(mailing_manager, item)
    mail_round(mailing_app.config)
    link = link_in(smtp_server.messages[0])
    customer = mailing_app.test_client()
    fields = form_fields(customer.get(link).get_data(as_text=True), "survey")
    assert customer.post(link, data={"answer": "yes"}).status_code == 422  # no CSRF token
    assert customer.post(link, data={**fields, "answer": "maybe"}).status_code == 422
    assert customer.post(link, data=fields).status_code == 422
    assert storage.recoveries.recovery_of(db, item)["answer"] is None


def test_the_recovery_rate_and_time_to_resolution_are_honest_figures(db, loaded):
    journey = storage.journeys.get_journey(db, "cafe")
    hours = [2, 10, 20, 30, 100]
    items = [
        resolved_pain(db, email=f"c{i}@example.com", customer=f"C-{i}", hours_ago=h)
        for i, h in enumerate(hours)
    ]
    for i, item in enumerate(items[:3]):
        storage.recoveries.start_recovery(
            db,
            storage.inbox.followup_item(db, "cafe", item),
            token_hash=recovery.token_hash(f"t{i}"),
            email="x@example.com",
            by="maria",
            expires_at=storage.iso(storage.utcnow() + timedelta(days=1)),
        )
    assert storage.recoveries.answer_recovery(db, recovery.token_hash("t0"), "yes")
    assert storage.recoveries.answer_recovery(db, recovery.token_hash("t1"), "yes")
    assert storage.recoveries.answer_recovery(db, recovery.token_hash("t2"), "no")
    assert not storage.recoveries.answer_recovery(db, recovery.token_hash("t2"), "yes")  # once
    (meal,) = recovery.figures(db, journey)
    assert (meal.sent, meal.answered, meal.glory) == (3, 3, 2)
    assert meal.rate == pytest.approx(2 / 3)
    assert meal.low == pytest.approx(0.208, abs=0.001)  # Wilson: 3 answers say little
    assert meal.high == pytest.approx(0.939, abs=0.001)
    assert meal.resolved == 5
    assert meal.median_hours == pytest.approx(20, abs=0.1)
    assert meal.p90_hours == pytest.approx(72, abs=0.5)  # between 30 and 100 hours
