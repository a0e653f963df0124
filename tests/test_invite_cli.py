"""Creating, sending and reminding invitations from the CLI, with a real SMTP server."""

from __future__ import annotations

import codecs
import csv
import io
import re
from datetime import timedelta

from surveyapp import storage
from tests.helpers import sql


def links_in(text):
    return re.findall(r"http://127\.0\.0\.1:5000/s/[A-Za-z0-9_-]{22}", text)


def test_invite_prints_one_personal_link(run_cli, loaded, db_path):
    result = run_cli("invite", "cafe", "meal", "--customer", "C-1042", "--locale", "ro")
    assert result.exit_code == 0
    (link,) = links_in(result.output)
    with storage.open_database(db_path) as db:
        invitation = storage.invitations.get_invitation(db, link.rsplit("/", 1)[1])
    assert (invitation["customer_ref"], invitation["locale"], invitation["moment_id"]) == (
        "C-1042",
        "ro",
        "meal",
    )
    expires = storage.parse_iso(invitation["expires_at"]) - storage.parse_iso(
        invitation["created_at"]
    )
    assert expires == timedelta(days=30)


def test_invite_refuses_bad_input_and_creates_nothing(run_cli, loaded, db_path):
    bad_email = run_cli("invite", "cafe", "meal", "--customer", "C-1", "--email", "ana@")
    unknown = run_cli("invite", "cafe", "dessert", "--customer", "C-1")
    assert bad_email.exit_code == 1 and "the email address “ana@” is not valid" in bad_email.output
    assert unknown.exit_code == 1 and "has no moment 'dessert'" in unknown.output
    with storage.open_database(db_path) as db:
        assert sql(db, "SELECT COUNT(*) FROM invitations").fetchone()[0] == 0


def test_an_over_budget_invitation_is_skipped_not_an_error(run_cli, loaded):
    run_cli("invite", "cafe", "meal", "--customer", "C-1")
    again = run_cli("invite", "cafe", "meal", "--customer", "C-1")
    assert again.exit_code == 0
    assert "skipped (C-1): already invited to cafe/meal in the last 30 days" in again.output
    assert links_in(again.output) == []


def test_a_csv_with_a_bad_row_creates_nothing_unless_told(run_cli, loaded, tmp_path, db_path):
    data = tmp_path / "customers.csv"
    data.write_bytes(
        codecs.BOM_UTF8 + b"customer;email;locale\r\nC-1;ana@example.ro;ro\r\n"
        b"C-2;bad-email;fr\r\nC-3;ion@example.ro;ro\r\n"
    )
    refused = run_cli("invite", "cafe", "meal", "--csv", data)
    assert refused.exit_code == 1
    assert f"{data}: line 3: the email address “bad-email” is not valid" in refused.output
    with storage.open_database(db_path) as db:
        assert sql(db, "SELECT COUNT(*) FROM invitations").fetchone()[0] == 0

    out = tmp_path / "links.csv"
    accepted = run_cli("invite", "cafe", "meal", "--csv", data, "--out", out, "--skip-invalid")
    assert accepted.exit_code == 0
    assert "created 2, skipped 0" in accepted.output
    raw = out.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [(r["customer"], r["status"]) for r in rows] == [("C-1", "created"), ("C-3", "created")]
    assert all(links_in(r["link"]) for r in rows)


def test_a_csv_that_cannot_be_read_says_why(run_cli, loaded, tmp_path):
    data = tmp_path / "latin1.csv"
    data.write_bytes("customer,email\nAndré,andre@exemple.fr\n".encode("latin-1"))
    result = run_cli("invite", "cafe", "meal", "--csv", data, "--encoding", "utf-8")
    assert result.exit_code == 1
    assert "cannot be read as UTF-8 (byte 19)" in result.output
    assert "Nothing was created." in result.output
    result = run_cli("invite", "cafe", "meal", "--csv", data)  # found: Windows-1252
    assert result.exit_code == 0 and "André" in result.output


def test_send_needs_a_sender_and_then_creates_nothing(run_cli, loaded, db_path, monkeypatch):
    monkeypatch.delenv("SURVEYAPP_MAIL_FROM", raising=False)
    result = run_cli("invite", "cafe", "meal", "--customer", "C-1", "--email", "a@b.ro", "--send")
    assert result.exit_code == 1
    assert "MAIL_FROM is not set" in result.output
    with storage.open_database(db_path) as db:
        assert sql(db, "SELECT COUNT(*) FROM invitations").fetchone()[0] == 0


def test_invitations_are_emailed_in_each_customers_language(run_cli, loaded, tmp_path, smtp_server):
    data = tmp_path / "customers.csv"
    data.write_text(
        "customer,email,locale\nC-1,ana@example.ro,ro\nC-2,luc@example.fr,fr\nC-3,,ro\n"
    )
    result = run_cli("invite", "cafe", "review", "--csv", data, "--send")
    assert "sent 2, failed 0" in result.output
    (ro,) = smtp_server.to("ana@example.ro")
    (fr,) = smtp_server.to("luc@example.fr")
    assert (
        ro["Subject"]
        == "Café des Arts vă întreabă: cum a fost „Experiența dumneavoastră la Café des Arts”?"
    )
    assert fr["Subject"].startswith("Café des Arts vous demande\u202f: comment s’est passé «\u202f")
    text = ro.get_body(("plain",)).get_content()
    html = ro.get_body(("html",)).get_content()
    assert text.startswith("Bună ziua,")
    assert "Cât de probabil este să recomandați Café des Arts unui prieten sau coleg?" in text
    link = re.search(r"(http://127\.0\.0\.1:5000/s/[\w-]{22})\r?\n", text).group(1)
    assert f'href="{link}?a=0"' in html and f'href="{link}?a=10"' in html
    assert ro["List-Unsubscribe"] == f"<{link.replace('/s/', '/u/')}>"
    assert ro["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (ro["Content-Language"], fr["Content-Language"]) == ("ro", "fr")


def test_a_batch_goes_on_when_one_recipient_is_refused(
    run_cli, loaded, tmp_path, smtp_server, db_path
):
    smtp_server.refuse.add("gone@example.ro")
    data = tmp_path / "customers.csv"
    data.write_text("customer,email\nC-1,gone@example.ro\nC-2,ok@example.ro\n")
    result = run_cli("invite", "cafe", "meal", "--csv", data, "--send")
    assert "sent 1, failed 1" in result.output
    assert "not sent to C-1: the recipient was refused (550" in result.output
    with storage.open_database(db_path) as db:
        failed = sql(
            db,
            "SELECT send_attempts, last_error, sent_at FROM invitations WHERE customer_ref = 'C-1'",
        ).fetchone()
    assert failed[0] == 1 and "550" in failed[1] and failed[2] is None


def test_smtp_down_keeps_invitations_unsent_until_retry(
    run_cli, loaded, monkeypatch, smtp_server, db_path
):
    from tests.helpers import free_port

    monkeypatch.setenv("SURVEYAPP_SMTP_PORT", str(free_port()))  # nobody listens there
    down = run_cli("invite", "cafe", "meal", "--customer", "C-1", "--email", "a@b.ro", "--send")
    assert down.exit_code == 0
    assert "not sent to C-1: the mail server refused the connection" in down.output
    assert links_in(down.output)
    monkeypatch.setenv("SURVEYAPP_SMTP_PORT", str(smtp_server.port))
    assert "sent 0, failed 0" in run_cli("send").output  # `send` alone leaves failures
    assert "sent 1, failed 0" in run_cli("send", "--retry").output
    assert len(smtp_server.to("a@b.ro")) == 1
    assert "sent 0, failed 0" in run_cli("send", "--retry").output


def test_reminders_go_once_to_unanswered_invitations_only(run_cli, loaded, smtp_server, db_path):
    for customer in ("C-1", "C-2", "C-3"):
        run_cli(
            "invite",
            "cafe",
            "meal",
            "--customer",
            customer,
            "--email",
            f"{customer.lower()}@example.ro",
            "--locale",
            "ro",
            "--send",
        )
    with storage.open_database(db_path) as db:
        old = storage.iso(storage.utcnow() - timedelta(days=4))
        sql(db, "UPDATE invitations SET created_at = ? WHERE customer_ref != 'C-3'", [old])
        sql(db, "UPDATE invitations SET answered_at = ? WHERE customer_ref = 'C-2'", [old])
    assert "sent 0, failed 0" in run_cli("remind", "cafe", "--after", "5").output
    assert "sent 1, failed 0" in run_cli("remind", "cafe").output
    assert "sent 0, failed 0" in run_cli("remind", "cafe").output
    (first, reminder) = smtp_server.to("c-1@example.ro")
    assert reminder["Subject"].startswith("Reamintire: Café des Arts")
    assert len(smtp_server.to("c-2@example.ro")) == 1


def test_forget_erases_the_customer(run_cli, loaded, db_path):
    run_cli("invite", "cafe", "meal", "--customer", "C-1", "--email", "a@b.ro")
    assert "forgot C-1: 1 invitations and 0 responses" in run_cli("forget", "C-1").output
    with storage.open_database(db_path) as db:
        assert sql(db, "SELECT customer_ref, email FROM invitations").fetchall() == [(None, None)]


def test_qr_writes_svg_and_png_of_the_public_link(run_cli, loaded, tmp_path):
    svg = tmp_path / "meal.svg"
    result = run_cli("qr", "cafe", "meal", "--lang", "ro", "--out", svg)
    assert result.output.strip() == f"{svg}: http://127.0.0.1:5000/j/cafe/meal?src=qr&lang=ro"
    assert svg.read_text().startswith("<?xml") and "<path" in svg.read_text()
    png = tmp_path / "meal.png"
    run_cli("qr", "cafe", "meal", "--out", png)
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert run_cli("qr", "cafe", "meal", "--out", tmp_path / "meal.gif").exit_code == 2
