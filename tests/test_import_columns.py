"""A spreadsheet whose first line names its columns in words we do not know: the import
waits for its manager to say which column is which, remembers it for the journey's next
files, and can forget it."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from surveyapp import storage
from surveyapp.services import jobs
from surveyapp.workers import jobs as job_worker
from tests.helpers import csrf_token, form_fields, sql

INVITE = "/admin/j/cafe/m/meal/invite"
# A CRM's export: its own column names, one of them (E-mail) known.
CRM = (
    "Réf. client;E-mail;Langue préférée;Ville\r\n"
    "C-1;ana@example.ro;Română;Cluj\r\n"
    "C-2;;français;Lyon\r\n"
).encode()


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True).replace("\u202f", " "))


def upload(client, data: bytes):
    """Upload as a manager does; the job page it leads to (its address, the response)."""
    token = csrf_token(client.get(INVITE).get_data(as_text=True))
    form = {"csrf_token": token, "delivery": "links", "customers": (io.BytesIO(data), "crm.csv")}
    posted = client.post(INVITE, data=form, content_type="multipart/form-data")
    assert posted.status_code == 303
    return posted.headers["Location"], client.get(posted.headers["Location"])


def run_jobs(client) -> int:
    config = client.application.config
    with storage.open_database(config["DATABASE"]) as db:
        return job_worker.run_due(db, config)


def test_an_unknown_header_waits_for_the_manager_to_say_which_column_is_which(manager, db):
    where, page = upload(manager, CRM)
    shown = text(page)
    assert "Dites quelle colonne contient quoi" in shown
    assert run_jobs(manager) == 0  # held: no worker takes it
    fields = form_fields(page.get_data(as_text=True), "columns").to_dict()
    assert fields["email"] == "E-mail"  # a known name, chosen already
    assert fields["customer"] == ""
    fields |= {"customer": "Réf. client", "locale": "Langue préférée"}
    assert manager.post(f"{where}/columns", data=fields).status_code == 303
    assert run_jobs(manager) == 1
    done = text(manager.get(where))
    assert "2 liens personnels créés" in done
    assert "Référence client : “Réf. client”" in done.replace("« ", "“").replace(" »", "”")
    made = sql(db, "SELECT customer_ref, email, locale FROM invitations ORDER BY customer_ref")
    assert list(made) == [("C-1", "ana@example.ro", "ro"), ("C-2", None, "fr")]
    # The audit log says it in words, columns named.
    audit = text(manager.get("/admin/audit"))
    assert "noms des colonnes des tableurs d’un parcours modifiés" in audit
    assert "Référence client : « Réf. client »" in audit.replace("\u202f", " ")


def test_the_next_file_with_those_columns_is_read_without_asking_until_forgotten(manager, db):
    where, page = upload(manager, CRM)
    fields = form_fields(page.get_data(as_text=True), "columns").to_dict()
    fields |= {"customer": "Réf. client", "locale": "Langue préférée"}
    manager.post(f"{where}/columns", data=fields)
    assert run_jobs(manager) == 1
    invite = text(manager.get(INVITE))
    assert "Oublier ces colonnes" in invite
    # Another export of the same CRM, in another order: read at once.
    again = "Ville;Langue préférée;Réf. client\r\nIași;ro;C-9\r\n".encode()
    where, _ = upload(manager, again)
    assert run_jobs(manager) == 1
    assert "1 lien personnel créé" in text(manager.get(where))
    assert sql(db, "SELECT locale FROM invitations WHERE customer_ref = 'C-9'").fetchone() == (
        "ro",
    )
    # Forgotten: the next file asks again.
    form = form_fields(manager.get(INVITE).get_data(as_text=True), "forget-columns")
    forgotten = manager.post(f"{INVITE}/columns/forget", data=form)
    assert forgotten.status_code == 303
    _, page = upload(manager, again)
    assert "Dites quelle colonne contient quoi" in text(page)
    assert storage.journey_settings.import_columns(db, "cafe") is None


def test_a_wrong_answer_is_refused_with_its_reason_and_changes_nothing(manager, viewer, db):
    where, page = upload(manager, CRM)
    fields = form_fields(page.get_data(as_text=True), "columns").to_dict()
    twice = manager.post(f"{where}/columns", data={**fields, "customer": "E-mail"})
    assert twice.status_code == 422
    assert "Chaque colonne ne contient qu’une chose." in text(twice).replace("'", "’")
    unknown = manager.post(f"{where}/columns", data={**fields, "customer": "Pays"})
    assert unknown.status_code == 422
    assert viewer.post(f"{where}/columns", data={**fields, "customer": "Ville"}).status_code in (
        403,
        404,
    )
    assert storage.journey_settings.import_columns(db, "cafe") is None
    assert run_jobs(manager) == 0  # still held
    assert storage.jobs.get(db, where.rsplit("/", 1)[1])["state"] == "columns"


def test_an_upload_nobody_answers_is_forgotten_with_the_finished_jobs(manager, db):
    where, _ = upload(manager, CRM)
    later = storage.utcnow() + jobs.KEEP + timedelta(minutes=1)
    assert jobs.forget_old(db, later) == 1
    assert storage.jobs.get(db, where.rsplit("/", 1)[1]) is None


def test_the_cli_reads_a_file_with_the_columns_the_journey_was_given(
    manager, db, run_cli, tmp_path
):
    crm = tmp_path / "crm.csv"
    crm.write_bytes(CRM)
    refused = run_cli("invite", "cafe", "meal", "--csv", str(crm), "--out", str(tmp_path / "a"))
    assert refused.exit_code != 0 and "found: Réf. client, E-mail" in refused.output
    where, page = upload(manager, CRM)
    fields = form_fields(page.get_data(as_text=True), "columns").to_dict()
    manager.post(f"{where}/columns", data={**fields, "customer": "Réf. client"})
    made = run_cli("invite", "cafe", "meal", "--csv", str(crm), "--out", str(tmp_path / "b"))
    assert made.exit_code == 0, made.output
    assert "created 2" in made.output
