"""Inviting customers from the browser and following the invitations: the CSV upload,
the email in each locale, sending now or links only, states, reminders, resending."""

from __future__ import annotations

import codecs
import csv
import io
import re
from datetime import timedelta

from surveyapp import storage
from surveyapp.domain.vocabulary import INVITATION_STATES
from surveyapp.services import invitations, mailer
from tests.helpers import (
    csrf_token,
    form_fields,
    mail_round,
    make_invitation,
    sql,
    upload_customers,
)

INVITE = "/admin/j/cafe/m/meal/invite"
LIST = "/admin/j/cafe/m/meal/invitations"


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def invitation_rows(db):
    return sql(
        db, "SELECT customer_ref, email, locale, batch FROM invitations ORDER BY id"
    ).fetchall()


GOOD_AND_BAD = codecs.BOM_UTF8 + (
    b"customer;email;locale\r\nC-1;ana@example.ro;ro\r\nC-2;pas-un-email;fr\r\nC-3;;fr\r\n"
)


def test_a_csv_with_a_bad_row_creates_nothing_and_says_which_line(manager, db):
    response = upload_customers(manager, GOOD_AND_BAD)
    page = text(response)
    assert "1 ligne n’est pas valide, donc rien n’a été créé" in page
    assert "ligne 3 : l’adresse e-mail « pas-un-email » n’est pas valide" in page
    assert invitation_rows(db) == []


def test_skipping_invalid_rows_makes_the_other_links_for_a_mail_merge(manager, db):
    response = upload_customers(manager, GOOD_AND_BAD, skip_invalid="y")
    assert response.status_code == 200
    page = text(response)
    assert "2 liens personnels créés." in page and "1 ligne non valide a été ignorée" in page
    rows = invitation_rows(db)
    assert [r[:3] for r in rows] == [("C-1", "ana@example.ro", "ro"), ("C-3", None, "fr")]
    (link,) = re.findall(r'href="(/admin/jobs/[^"]+/file)"', response.get_data(as_text=True))
    links = manager.get(link)
    assert links.headers["Content-Disposition"] == 'attachment; filename="links-cafe.csv"'
    table = list(csv.reader(io.StringIO(links.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0] == ["customer", "email", "locale", "link", "status", "reason"]
    assert [row[0] for row in table[1:]] == ["C-1", "C-3"]
    assert all(row[3].startswith("http://127.0.0.1:5000/s/") for row in table[1:])
    assert sql(db, "SELECT count(*) FROM mail_queue").fetchone()[0] == 0  # links only


def test_an_unreadable_csv_is_refused_whole(manager, db):
    workbook = b"PK\x03\x04\x14\x00\x06\x00"  # an .xlsx, not its CSV
    response = upload_customers(manager, workbook)
    assert response.status_code == 422
    assert "Rien n’a été créé : c’est un classeur Excel, pas un fichier CSV" in text(response)
    assert invitation_rows(db) == []


def test_a_tampered_delivery_choice_is_refused(manager, db):
    response = upload_customers(manager, GOOD_AND_BAD, skip_invalid="y", delivery="everyone")
    assert response.status_code == 422 and invitation_rows(db) == []
    assert "envoyer les invitations maintenant ou seulement créer les liens" in text(response)


def test_a_file_too_large_gets_a_clear_page(manager, db):
    big = b"customer,email,locale\n" + b"C-1,a@b.fr,fr\n" * (17 * 1024 * 1024 // 13)
    response = upload_customers(manager, big)
    assert response.status_code == 413
    assert "Ce fichier est trop volumineux" in text(response)
    assert invitation_rows(db) == []


def test_viewers_cannot_invite(viewer, db):
    assert viewer.get(INVITE).status_code == 403
    assert viewer.post(INVITE, data={}).status_code == 403
    assert viewer.post(f"{LIST}/remind", data={}).status_code == 403
    assert viewer.post(f"{LIST}/resend", data={}).status_code == 403
    assert viewer.get(LIST).status_code == 200  # they may read


def test_without_email_set_up_only_links_can_be_made(manager, db):
    page = text(manager.get(INVITE))
    assert "ne peut pas encore envoyer d’e-mails" in page
    assert re.search(r'<input disabled id="delivery-0"[^>]*value="send"', page)
    response = upload_customers(manager, GOOD_AND_BAD, skip_invalid="y", delivery="send")
    assert response.status_code == 200
    assert sql(db, "SELECT count(*) FROM mail_queue").fetchone()[0] == 0


def test_the_email_is_shown_in_each_language_before_sending(manager):
    page = text(manager.get(INVITE))
    assert "Café des Arts vous demande : comment s’est passé « Votre repas » ?" in page
    assert "Café des Arts vă întreabă: cum a fost „Masa dumneavoastră”?" in page
    preview = manager.get("/admin/j/cafe/m/meal/email/ro")
    assert preview.status_code == 200
    assert "style-src 'unsafe-inline'" in preview.headers["Content-Security-Policy"]
    assert "script-src" not in preview.headers["Content-Security-Policy"]
    assert 'lang="ro"' in preview.get_data(as_text=True)
    assert manager.get("/admin/j/cafe/m/meal/email/de").status_code == 404


def test_sending_now_queues_the_emails_and_the_worker_sends_them(
    mailing_manager, mailing_app, smtp_server, db
):
    response = upload_customers(mailing_manager, GOOD_AND_BAD, skip_invalid="y", delivery="send")
    assert "1 invitation est en cours d’envoi par e-mail." in text(response)
    report = mail_round(mailing_app.config)
    assert report.sent == 1 and report.failed == 0
    (message,) = smtp_server.to("ana@example.ro")
    assert message["Content-Language"] == "ro"
    assert mail_round(mailing_app.config).sent == 0  # taken off the queue: never sent twice
    listed = text(mailing_manager.get(f"{LIST}?state=sent"))
    assert "ana@example.ro" in listed and "1 invitation · page 1 sur 1" in listed
    assert "envoyées : 1, ouvertes : 0" in text(mailing_manager.get(LIST))


def test_failed_invitations_show_why_and_can_be_sent_again(
    mailing_manager, mailing_app, smtp_server, db
):
    smtp_server.refuse.add("ana@example.ro")
    upload_customers(mailing_manager, GOOD_AND_BAD, skip_invalid="y", delivery="send")
    assert mail_round(mailing_app.config).failed == 1
    listed = text(mailing_manager.get(f"{LIST}?state=failed"))
    assert "1 invitation · page 1 sur 1" in listed and "550 5.1.1 no such user" in listed
    assert "Renvoyer 1 invitation en échec" in listed
    smtp_server.refuse.clear()
    page = mailing_manager.get(LIST).get_data(as_text=True)
    response = mailing_manager.post(f"{LIST}/resend", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303
    assert mail_round(mailing_app.config).sent == 1
    assert len(smtp_server.to("ana@example.ro")) == 1


def test_reminders_go_to_those_who_have_not_answered(
    mailing_manager, mailing_app, smtp_server, db, loaded
):
    tokens = [
        make_invitation(db, loaded["cafe"], "meal", f"C-{n}", "fr", f"c{n}@example.fr")
        for n in range(3)
    ]
    with storage.connect(mailing_app.config["DATABASE"]) as own:
        for token in tokens:
            storage.invitations.mark_sent(own, token)
    old = storage.iso(storage.utcnow() - timedelta(days=4))
    sql(db, "UPDATE invitations SET created_at = ?", (old,))
    sql(db, "UPDATE invitations SET answered_at = ? WHERE customer_ref = 'C-0'", (old,))
    page = mailing_manager.get(LIST).get_data(as_text=True)
    assert "Relancer les 2 clients qui n’ont pas répondu" in re.sub(r"\s+", " ", page)
    response = mailing_manager.post(f"{LIST}/remind", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303
    assert mail_round(mailing_app.config).sent == 2
    assert smtp_server.to("c0@example.fr") == []
    (reminder,) = smtp_server.to("c1@example.fr")
    assert reminder["Subject"].startswith("Rappel")
    again = mailing_manager.get(LIST).get_data(as_text=True)
    assert "Relancer" not in again  # one reminder each


def test_the_list_pages_filters_and_searches(manager, db, loaded):
    for n in range(55):
        make_invitation(db, loaded["cafe"], "meal", f"C-{n:03}", "ro", f"c{n}@example.ro")
    first = text(manager.get(LIST))
    assert "55 invitations · page 1 sur 2" in first and "C-054" in first and "C-004" not in first
    second = text(manager.get(f"{LIST}?page=2"))
    assert "C-004" in second and "Page précédente" in second
    found = text(manager.get(f"{LIST}?q=C-01"))  # begins with
    assert "10 invitations" in found
    assert "1 invitation · page 1" in text(manager.get(f"{LIST}?q=c5@"))
    assert "55 invitations personnelles créées : aucune n’est encore parvenue" in first
    assert "55 liens pas encore envoyés ne comptent pas dans le taux de réponse" in first
    assert "55 invitations" in text(manager.get(f"{LIST}?state=created"))
    assert "Aucune invitation ici." in text(manager.get(f"{LIST}?state=sent"))
    assert manager.get(f"{LIST}?state=lost").status_code == 400
    assert manager.get(f"{LIST}?page=-1").status_code == 400
    assert "Aucune invitation ici." in text(manager.get(f"{LIST}?q=%25"))  # % is no pattern


def test_skipped_requests_are_listed_with_why(manager, db, loaded):
    storage.invitations.add_optout(db, invitations.customer_hash("C-1"))
    done = upload_customers(manager, GOOD_AND_BAD, skip_invalid="y")
    assert "a refusé les enquêtes : 1" in text(done)
    listed = text(manager.get(f"{LIST}?state=skipped"))
    assert "1 invitation · page 1 sur 1" in listed and "a refusé les enquêtes" in listed
    assert "1 demande ignorée." in text(manager.get(LIST))
    (link,) = re.findall(r'href="(/admin/jobs/[^"]+/file)"', done.get_data(as_text=True))
    links = manager.get(link).get_data(as_text=True)
    assert "C-1,ana@example.ro,ro,,skipped,a refusé les enquêtes" in links


def test_opened_counts_a_person_never_a_get(app, client, manager, db, loaded):
    token = make_invitation(db, loaded["cafe"], "meal", "C-9", "ro")
    page = client.get(f"/s/{token}").get_data(as_text=True)
    assert f'data-presence="/s/{token}/opened"' in page
    opened_list = f"{LIST}?state=opened"
    assert "Aucune invitation ici." in text(manager.get(opened_list))  # a scanner's GET
    assert client.post(f"/s/{token}/opened", data={}).status_code == 422
    assert (
        client.post(f"/s/{token}/opened", data={"csrf_token": csrf_token(page)}).status_code == 204
    )
    assert "C-9" in text(manager.get(opened_list))
    assert "envoyées : 0, ouvertes : 1, répondues : 0" in text(manager.get(LIST))
    again = client.get(f"/s/{token}").get_data(as_text=True)
    assert "data-presence" not in again  # told once


def test_opting_out_shows_on_the_invitation(app, client, manager, db, loaded):
    token = make_invitation(db, loaded["cafe"], "meal", "C-9", "ro")
    page = client.get(f"/u/{token}").get_data(as_text=True)
    client.post(f"/u/{token}", data={"csrf_token": csrf_token(page)})
    assert "C-9" in text(manager.get(f"{LIST}?state=opted_out"))


def test_every_state_is_counted_once_in_order_of_precedence(db, loaded):
    cafe = loaded["cafe"]
    tokens = {
        state: make_invitation(db, cafe, "meal", f"C-{state}", "fr", f"{state}@example.fr")
        for state in ("answered", "opted_out", "expired", "failed", "opened", "sent", "created")
    }
    ids = {state: storage.invitations.get_invitation(db, t)["id"] for state, t in tokens.items()}
    for state in ("answered", "opted_out", "opened", "sent"):
        storage.invitations.mark_sent(db, tokens[state])  # sent, then something more happened
    storage.invitations.mark_send_failed(db, tokens["failed"], "550 no such user")
    for state in ("answered", "opened"):
        storage.invitations.mark_opened(db, ids[state])
    storage.invitations.add_optout(db, invitations.customer_hash("C-opted_out"), ids["opted_out"])
    past = storage.iso(storage.utcnow() - timedelta(days=1))
    sql(db, "UPDATE invitations SET expires_at = ? WHERE id = ?", (past, ids["expired"]))
    sql(db, "UPDATE invitations SET answered_at = ? WHERE id = ?", (past, ids["answered"]))
    invitations.create(  # opted out already: skipped, kept with why
        db,
        cafe,
        "meal",
        [invitations.Request("C-opted_out")],
        base_url="http://x",
        valid_days=30,
        budget=invitations.Budget(0),
    )
    counts = storage.invitation_tracking.state_counts(db, "cafe", "meal", storage.utcnow())
    assert counts == dict.fromkeys(counts, 1)
    assert list(counts) == list(INVITATION_STATES)


def _queue(db, loaded, count):
    tokens = [
        make_invitation(db, loaded["cafe"], "meal", f"C-{n}", "fr", f"c{n}@example.fr")
        for n in range(count)
    ]
    ids = [r[0] for r in sql(db, "SELECT id FROM invitations ORDER BY id").fetchall()]
    storage.mail_queue.queue_invitations(db, ids, reminder=False, now=storage.utcnow())
    return tokens


def test_a_sender_that_dies_while_sending_loses_nothing_and_sends_nothing_twice(
    mailing_app, smtp_server, db, loaded
):
    _queue(db, loaded, 3)
    now = storage.utcnow()
    taken = storage.mail_queue.take_queued(db, now)  # then the worker is killed
    assert len(taken) == 3 and storage.mail_queue.take_queued(db, now) == []  # leased
    with storage.connect(mailing_app.config["DATABASE"]) as own:  # one was sent before
        storage.invitations.mark_sent(own, taken[0]["token"])
    later = now + storage.mail_queue.LEASE + timedelta(seconds=1)
    again = storage.mail_queue.take_queued(db, later)
    assert sorted(r["token"] for r in again) == sorted(r["token"] for r in taken[1:])
    sql(db, "UPDATE mail_queue SET next_attempt_at = ?", (storage.iso(now),))
    assert mail_round(mailing_app.config).sent == 2
    assert sql(db, "SELECT count(*) FROM mail_queue").fetchone()[0] == 0
    assert smtp_server.to("c0@example.fr") == []  # marked sent already: not sent twice


def test_a_failed_email_is_tried_again_after_a_wait_then_set_aside(
    mailing_app, smtp_server, db, loaded
):
    smtp_server.refuse.add("c0@example.fr")
    _queue(db, loaded, 2)
    first = mail_round(mailing_app.config)
    assert (first.sent, first.failed) == (1, 1)
    # The failed one waits a minute: the next round (at once) does not try it.
    assert mail_round(mailing_app.config).failed == 0
    (due,) = sql(db, "SELECT next_attempt_at FROM mail_queue").fetchall()
    assert storage.parse_iso(due[0]) - storage.utcnow() > timedelta(seconds=50)
    for attempt in range(len(mailer.RETRY_AFTER)):
        sql(db, "UPDATE mail_queue SET next_attempt_at = ?", (storage.iso(storage.utcnow()),))
        assert mail_round(mailing_app.config).failed == 1, attempt
    assert sql(db, "SELECT count(*) FROM mail_queue").fetchone()[0] == 0  # set aside
    (attempts,) = sql(db, "SELECT send_attempts FROM invitations WHERE email = 'c0@example.fr'")
    assert attempts[0] == 1 + len(mailer.RETRY_AFTER)


def test_one_customer_is_invited_from_a_form_and_their_link_shown_at_once(
    mailing_app, mailing_manager, smtp_server, db
):
    page = mailing_manager.get(INVITE).get_data(as_text=True)
    fields = form_fields(page, "invite-one")
    assert fields["one-language"] == "fr"  # the journey's default
    made = mailing_manager.post(
        f"{INVITE}/one",
        data={
            **fields,
            "one-customer": "C-77",
            "one-email": "ana@example.ro",
            "one-language": "ro",
        },
    )
    assert made.status_code == 200
    said = text(made).replace("\u202f", " ")
    assert "Lien personnel créé pour C-77 :" in said
    assert "L’invitation est en cours d’envoi par e-mail à ana@example.ro" in said
    ((token, locale),) = sql(db, "SELECT token, locale FROM invitations").fetchall()
    assert f"/s/{token}" in said and locale == "ro"
    assert mail_round(mailing_app.config).sent == 1
    (email,) = smtp_server.to("ana@example.ro")
    assert email["Content-Language"] == "ro"

    again = mailing_manager.post(
        f"{INVITE}/one", data={**fields, "one-customer": "C-77", "one-language": "ro"}
    )
    assert "C-77 n’a pas été invité : déjà invité à ce moment" in text(again).replace("\u202f", " ")
    refused = mailing_manager.post(
        f"{INVITE}/one", data={**fields, "one-customer": "C-78", "one-email": "pas-un-email"}
    )
    assert refused.status_code == 422
    assert "l’adresse e-mail « pas-un-email » n’est pas valide" in text(refused).replace(
        "\u202f", " "
    )
    assert len(sql(db, "SELECT id FROM invitations").fetchall()) == 1
