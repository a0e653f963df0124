"""The email digest of new negative responses, over a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import os
import subprocess
import time
from datetime import timedelta

import pytest

from surveyapp import storage
from surveyapp.services import digest
from tests.helpers import (
    SURVEYAPP,
    answers_living,
    csrf_token,
    free_port,
    make_invitation,
    record_scored,
    sql,
    start_serve,
    stop_server,
)

FOLLOWUPS = "http://127.0.0.1:5000/admin/j/cafe/followups?status=unresolved"
DIGEST = "/admin/j/cafe/followups/digest"


@pytest.fixture
def digest_to(monkeypatch):
    monkeypatch.setenv("SURVEYAPP_DIGEST_TO", "cx@cafe.example")
    monkeypatch.setenv("SURVEYAPP_DIGEST_LOCALE", "fr")


def test_new_negative_responses_are_emailed_once_in_the_managers_language(
    run_cli, db, loaded, answer, smtp_server, digest_to
):
    token = make_invitation(db, loaded["cafe"], customer="C-7", locale="ro")
    answer(f"/s/{token}", {"experience": "negative", "why": "<b>Supa</b> rece"})
    answer("/j/cafe/meal?lang=fr", {"experience": "negative"})
    answer("/j/cafe/meal?lang=fr", {"experience": "positive"})

    assert "sent a digest of 2 negative responses" in run_cli("digest").output
    (message,) = smtp_server.to("cx@cafe.example")
    assert message["Subject"] == "2 nouvelles réponses négatives"
    assert message["Content-Language"] == "fr"
    text = message.get_body(("plain",)).get_content()
    assert "== Votre repas (Café des Arts) ==" in text
    assert "Client\u202f: C-7" in text and "Sans référence client (lien public)" in text
    assert "Votre repas\u202f: comment cela s’est-il passé\u202f? — Mal" in text
    assert f"Suivi\u202f: {FOLLOWUPS}" in text
    html = message.get_body(("html",)).get_content()
    assert "&lt;b&gt;Supa&lt;/b&gt; rece" in html and "<b>Supa" not in html

    # Nothing new: nothing sent. A new one: only it.
    assert "no new negative responses" in run_cli("digest").output
    assert len(smtp_server.messages) == 1
    answer("/j/cafe/meal?lang=ro", {"experience": "negative", "why": "Prea scump"})
    run_cli("digest")
    latest = smtp_server.messages[-1]
    assert latest["Subject"] == "1 nouvelle réponse négative"
    body = latest.get_body(("plain",)).get_content()
    assert "Prea scump" in body and "C-7" not in body


def test_a_digest_that_could_not_be_sent_is_sent_next_time(
    run_cli, loaded, answer, smtp_server, digest_to, monkeypatch
):
    answer("/j/cafe/meal", {"experience": "negative", "why": "Froid"})
    monkeypatch.setenv("SURVEYAPP_SMTP_PORT", str(free_port()))  # nothing listens there
    failed = run_cli("digest")
    assert failed.exit_code == 1 and "could not be sent" in failed.output
    monkeypatch.setenv("SURVEYAPP_SMTP_PORT", str(smtp_server.port))
    assert "sent a digest of 1 negative responses" in run_cli("digest").output
    assert "Froid" in smtp_server.messages[0].get_body(("plain",)).get_content()


def test_the_digest_needs_an_address_and_a_known_language(run_cli, loaded, monkeypatch):
    result = run_cli("digest")
    assert result.exit_code == 1 and "DIGEST_TO is not set" in result.output
    monkeypatch.setenv("SURVEYAPP_DIGEST_TO", "cx@cafe.example")
    monkeypatch.setenv("SURVEYAPP_DIGEST_LOCALE", "de")
    result = run_cli("digest")
    assert result.exit_code == 1 and "DIGEST_LOCALE is 'de'" in result.output


def test_a_long_digest_lists_the_first_responses_and_counts_the_rest(db, loaded, answer):
    for reason in ("Froid", "Lent", "Cher"):
        answer("/j/cafe/meal", {"experience": "negative", "why": reason})
    found = digest.collect(db, locale="ro", base_url="http://x", limit=1)
    assert (found.total, found.listed) == (3, 1)
    text = digest.compose(found, locale="ro", sender="s@x", to=["cx@x"]).get_body(("plain",))
    assert "…și încă 2 răspunsuri, în listele de urmărire." in text.get_content()
    assert storage.digests.digest_mark(db, digest.NAME) is None  # composing marks nothing


@pytest.mark.parametrize(
    ("count", "subject"),
    [
        (1, "1 răspuns negativ nou"),
        (2, "2 răspunsuri negative noi"),
        (20, "20 de răspunsuri negative noi"),
    ],
)
def test_romanian_subjects_use_the_three_plural_forms(count, subject):
    empty = digest.Digest(moments=[], total=count, listed=0, last_id=count)
    message = digest.compose(empty, locale="ro", sender="s@x", to=["cx@x"])
    assert message["Subject"] == subject


def test_serve_sends_the_digest_by_itself(loaded, answer, smtp_server, digest_to):
    answer("/j/cafe/meal", {"experience": "negative", "why": "Trop bruyant"})
    server, _ = start_serve()
    try:
        deadline = time.monotonic() + 20
        while not smtp_server.messages and time.monotonic() < deadline:
            assert server.poll() is None
            time.sleep(0.1)
    finally:
        stop_server(server)
    (message,) = smtp_server.to("cx@cafe.example")
    assert "Trop bruyant" in message.get_body(("plain",)).get_content()


def test_a_dry_run_prints_the_digest_and_sends_or_marks_nothing(
    run_cli, db, loaded, answer, smtp_server, digest_to
):
    answer("/j/cafe/meal", {"experience": "negative", "why": "Trop salé"})
    printed = run_cli("digest", "--dry-run").output
    assert "Trop salé" in printed and "1 nouvelle réponse négative" in printed
    assert smtp_server.messages == [] and storage.digests.digest_mark(db, digest.NAME) is None


def test_each_answer_is_read_with_its_own_moments_questions(db, loaded, answer):
    answer("/j/cafe/meal?lang=fr", {"experience": "negative", "why": "Froid"})
    answer("/j/cafe/bill?lang=fr", {"experience": "negative"})
    answer("/j/cafe/meal?lang=fr", {"experience": "negative", "why": "Fade"})
    found = digest.collect(db, locale="fr", base_url="http://x")
    meal, bill = found.moments
    assert (meal.name, bill.name) == ("Votre repas", "L’addition")
    questions = [q for r in meal.responses for q, _ in r["answers"]]
    assert questions.count("Votre repas\u202f: comment cela s’est-il passé\u202f?") == 2


def test_serve_refuses_to_start_with_a_digest_it_could_not_send(instance, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_DIGEST_TO", "cx@cafe.example")  # but no MAIL_FROM
    result = subprocess.run(
        [SURVEYAPP, "serve", "--port", str(free_port())],
        env={**os.environ, "SURVEYAPP_SECRET_KEY": "k"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1 and "MAIL_FROM is not set" in result.stderr


def test_a_journeys_own_digest_goes_to_its_recipients_when_due_with_its_pains_only(
    db, loaded, answer, smtp_server
):
    from surveyapp import settings

    storage.inbox.set_journey_digest(
        db, "cafe", to=["branch@cafe.example"], locale="ro", every="daily", by="maria"
    )
    answer("/j/cafe/meal?lang=fr", {"experience": "negative", "why": "Rece"})
    answer("/j/saas-onboarding/billing", {"experience": "negative", "why": "Nimbus billed twice"})
    config = settings.load_settings()
    assert digest.send_journeys(db, config) == 1
    (message,) = smtp_server.to("branch@cafe.example")
    assert message["Subject"] == "1 răspuns negativ nou"
    assert "Rece" in message.get_body(("plain",)).get_content()
    assert "billed twice" not in message.get_body(("plain",)).get_content()
    answer("/j/cafe/meal?lang=fr", {"experience": "negative", "why": "Sărat"})
    assert digest.send_journeys(db, config) == 0  # sent today already: not due
    later = storage.utcnow() + timedelta(days=1, minutes=1)
    assert digest.send_journeys(db, config, now=later) == 1
    second = smtp_server.to("branch@cafe.example")[1].get_body(("plain",)).get_content()
    assert "Sărat" in second and "Rece" not in second  # each response in one digest


def test_the_inbox_sets_and_stops_a_journeys_digest_and_refuses_bad_addresses(manager, db):
    page = manager.get("/admin/j/cafe/followups").get_data(as_text=True)
    token = csrf_token(page)
    form = {"csrf_token": token, "to": "a@cafe.example, b@cafe.example", "locale": "ro"}
    assert manager.post(DIGEST, data={**form, "every": "weekly"}).status_code == 303
    assert storage.inbox.journey_digest(db, "cafe") == {
        "to": ["a@cafe.example", "b@cafe.example"],
        "locale": "ro",
        "every": "weekly",
    }
    for bad in (
        {"to": "not an address", "every": "daily"},
        {"to": "", "every": "daily"},
        {"to": "a@cafe.example", "every": "monthly"},
        {"to": ",".join(f"p{i}@cafe.example" for i in range(21)), "every": "daily"},
    ):
        assert manager.post(DIGEST, data={**form, **bad}).status_code == 422
    assert storage.inbox.journey_digest(db, "cafe")["every"] == "weekly"
    assert manager.post(DIGEST, data={**form, "every": ""}).status_code == 303
    assert storage.inbox.journey_digest(db, "cafe") is None
    actions = sql(db, "SELECT action FROM audit_log").fetchall()
    assert [a for (a,) in actions] == ["journey.digest", "journey.digest"]


def test_a_journeys_digest_that_cannot_be_sent_never_holds_up_the_others(
    db, loaded, answer, smtp_server
):
    from surveyapp import settings

    smtp_server.refuse.add("gone@cafe.example")  # the mail server refuses it: 550
    storage.inbox.set_journey_digest(
        db, "cafe", to=["gone@cafe.example"], locale="fr", every="daily", by="maria"
    )
    storage.inbox.set_journey_digest(
        db, "saas-onboarding", to=["cs@nimbus.example"], locale="en", every="daily", by="maria"
    )
    answer("/j/cafe/meal?lang=fr", {"experience": "negative", "why": "Rece"})
    answer("/j/saas-onboarding/billing", {"experience": "negative", "why": "Nimbus billed twice"})
    config = settings.load_settings()
    assert digest.send_journeys(db, config) == 1
    assert len(smtp_server.to("cs@nimbus.example")) == 1
    # The café's is not marked sent: its pains go in the next one that can be, after
    # its first wait.
    smtp_server.refuse.clear()
    assert digest.send_journeys(db, config) == 0
    later = storage.utcnow() + timedelta(minutes=1, seconds=1)
    assert digest.send_journeys(db, config, now=later) == 1
    assert "Rece" in smtp_server.to("gone@cafe.example")[0].get_body(("plain",)).get_content()


def test_a_journeys_digest_that_keeps_failing_waits_longer_then_is_set_aside_and_retried(
    app, db, loaded, answer, smtp_server
):
    import re

    from surveyapp import settings
    from surveyapp.services import mailer
    from tests.helpers import logged_in

    smtp_server.refuse.add("gone@cafe.example")  # the mail server refuses it: 550
    storage.inbox.set_journey_digest(
        db, "cafe", to=["gone@cafe.example"], locale="fr", every="daily", by="maria"
    )
    answer("/j/cafe/meal?lang=fr", {"experience": "negative", "why": "Rece"})
    config = settings.load_settings()
    now = storage.utcnow()
    manager = logged_in(app, db, "maria", "admin")
    for attempt, wait in enumerate(mailer.RETRY_AFTER, start=1):
        assert digest.send_journeys(db, config, now=now) == 0
        failed = digest.failure(db, "cafe")
        assert failed["failures"] == attempt and "550" in failed["last_error"]
        tried = smtp_server.begun
        # Not tried again before its wait is over: the mail server is left alone.
        assert digest.send_journeys(db, config, now=now + wait - timedelta(seconds=1)) == 0
        assert smtp_server.begun == tried and digest.failure(db, "cafe")["failures"] == attempt
        now += wait
    page = manager.get("/admin/j/cafe/followups").get_data(as_text=True)
    assert "La dernière tentative" not in page
    assert digest.send_journeys(db, config, now=now) == 0  # the last attempt
    assert digest.failure(db, "cafe")["next_attempt_at"] is None
    assert digest.send_journeys(db, config, now=now + timedelta(days=3)) == 0  # set aside
    assert digest.failure(db, "cafe")["failures"] == len(mailer.RETRY_AFTER) + 1
    page = re.sub(r"\s+", " ", manager.get("/admin/j/cafe/followups").get_data(as_text=True))
    assert "Le récapitulatif n’a pas pu être envoyé après 5 tentatives" in page and "550" in page
    workers = manager.get("/admin/workers").get_data(as_text=True)
    assert re.search(
        r"Récapitulatifs de parcours non envoyés</th>\s*<td>0</td>\s*<td>—</td>\s*<td>1<", workers
    )

    smtp_server.refuse.clear()  # the address is fixed; a manager tries again
    form = {"csrf_token": csrf_token(page)}
    assert manager.post(f"{DIGEST}/retry", data=form).status_code == 303
    assert digest.send_journeys(db, config) == 1
    assert "Rece" in smtp_server.to("gone@cafe.example")[0].get_body(("plain",)).get_content()
    assert digest.failure(db, "cafe") is None
    assert "pas pu être envoyé" not in manager.get("/admin/j/cafe/followups").get_data(as_text=True)


def test_the_digest_says_which_words_of_pain_are_new_this_week(db, loaded):
    cafe = loaded["cafe"]
    pain = answers_living(cafe, "meal", "negative")
    glory = answers_living(cafe, "meal", "positive")
    three_weeks_ago = storage.utcnow() - timedelta(days=21)
    for _ in range(15):
        # Cold dishes were already a pain three weeks ago; waiting is new this week.
        record_scored(db, cafe, "meal", pain, comment="Plat froid", when=three_weeks_ago)
        record_scored(db, cafe, "meal", glory, comment="Joli cadre", when=three_weeks_ago)
        record_scored(db, cafe, "meal", pain, comment="Plat froid, attente interminable")
        record_scored(db, cafe, "meal", glory, comment="Joli cadre, serveur souriant")
    found = digest.collect(db, locale="fr", base_url="http://x")
    text = digest.compose(found, locale="fr", sender="s@x", to=["cx@x"]).get_body(("plain",))
    said = text.get_content()
    assert (
        "Nouveau cette semaine\u202f: «\u202fattente\u202f» dans 15 commentaires négatifs." in said
    )
    assert "«\u202ffroid\u202f»" not in said and "«\u202fplat\u202f»" not in said
