"""Exports prepared in the background: asked for from the dashboard, followed on their own
page (in Chromium with and without JavaScript, under `surveyapp serve` and its supervised
jobs worker), downloaded when ready; an export that keeps failing is set aside with its
reason and tried again from its page; a job whose worker died is taken again."""

from __future__ import annotations

import io
import os
import re
import subprocess
import tempfile
from datetime import timedelta

import openpyxl
import pytest
from playwright.sync_api import expect

from surveyapp import storage
from surveyapp.services import accounts, jobs
from surveyapp.services.dashboard import Filters
from surveyapp.workers import jobs as job_worker
from tests.helpers import (
    PASSWORD,
    SURVEYAPP,
    ask_export,
    export_responses,
    form_fields,
    log_in_in_french,
    logged_in,
    record_scored,
    sql,
    start_serve,
    stop_server,
    wait_until,
)


def _answers(db, count: int) -> None:
    journey = storage.journeys.get_journey(db, "cafe")
    for i in range(count):
        polarity = ("positive", "negative", "neutral")[i % 3]
        record_scored(db, journey, "meal", {"experience": polarity, "why": f"réponse {i}"})


@pytest.mark.parametrize("javascript", [False, True], ids=["without-js", "with-js"])
def test_a_manager_prepares_an_xlsx_export_and_downloads_it_when_ready(
    browser, db, loaded, javascript
):
    _answers(db, 30)
    accounts.create(db, "maria", PASSWORD, "admin")
    db.commit()
    process, port = start_serve("--workers", "2")
    try:
        context = browser.new_context(locale="fr-FR", java_script_enabled=javascript)
        page = context.new_page()
        log_in_in_french(page, f"http://127.0.0.1:{port}/admin/j/cafe")
        page.get_by_role("button", name="Excel (XLSX)").first.click()
        page.wait_for_url(re.compile(r"/admin/jobs/[A-Za-z0-9_-]{22}$"))
        assert page.locator("h1").inner_text() == "Export des réponses"
        # The page follows the job by itself (a script, or a refresh without one).
        link = page.get_by_role("link", name=re.compile("^Télécharger cafe-responses.xlsx"))
        expect(link).to_be_visible(timeout=60_000)
        assert page.locator("#job-text").inner_text() == "30 sur 30 réponses écrites"
        assert re.search(r"\(\d+,\d\u202fko\)", link.inner_text()), link.inner_text()
        with page.expect_download() as download:
            link.click()
        assert download.value.suggested_filename == "cafe-responses.xlsx"
        book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
        assert book.max_row == 31  # the header and 30 responses
        assert book.cell(1, 7).value == "Vécu comme"
        context.close()
    finally:
        stop_server(process)


def test_the_job_page_refreshes_itself_only_until_the_job_ends(app, db, loaded):
    _answers(db, 3)
    manager = logged_in(app, db, "maria", "admin")
    job_page = ask_export(manager, "cafe", "json")
    page = manager.get(job_page).get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page
    assert "Arrêter d’actualiser cette page" in page
    stopped = manager.get(job_page + "?refresh=off").get_data(as_text=True)
    assert "http-equiv" not in stopped
    job_worker.run_due(db, app.config)
    done = manager.get(job_page).get_data(as_text=True)
    assert "http-equiv" not in done and "cafe-responses.json" in done
    progress = manager.get(job_page + "/progress.json").get_json()
    assert progress["state"] == "done" and progress["percent"] == 100
    assert progress["counted"] == "3 sur 3 réponses écrites"


def test_an_export_that_keeps_failing_is_set_aside_with_its_reason_and_can_be_retried(
    app, db, loaded, monkeypatch
):
    _answers(db, 2)
    manager = logged_in(app, db, "maria", "admin")
    job_page = ask_export(manager, "cafe", "csv")
    job_id = job_page.rsplit("/", 1)[1]
    # A real fault: the folder where files are written is gone.
    monkeypatch.setattr(tempfile, "tempdir", "/nonexistent/surveyapp-test")
    for attempt in range(1, 4):
        assert job_worker.run_due(db, app.config) == 1
        job = storage.jobs.get(db, job_id)
        assert job["attempts"] == attempt
        if attempt < 3:
            assert job["state"] == "waiting"  # tried again later, not at once
            assert job_worker.run_due(db, app.config) == 0
            page = manager.get(job_page).get_data(as_text=True)
            assert "La dernière tentative a échoué" in page
            sql(db, "UPDATE jobs SET next_attempt_at = '2000-01-01T00:00:00Z'")
            db.commit()
    assert job["state"] == "failed"
    page = manager.get(job_page).get_data(as_text=True)
    assert "L’export a échoué à chacune de ses tentatives" in page
    assert "/nonexistent/surveyapp-test" in page  # the reason, as the system said it
    workers = logged_in(app, db, "ion", "admin").get("/admin/workers").get_data(as_text=True)
    assert re.search(r"Exports et imports</th>\s*<td>0</td>\s*<td>—</td>\s*<td>1</td>", workers)

    monkeypatch.setattr(tempfile, "tempdir", None)  # the folder is back
    retried = manager.post(
        f"{job_page}/retry", data={"csrf_token": form_fields(page, "retry")["csrf_token"]}
    )
    assert retried.status_code == 303
    assert job_worker.run_due(db, app.config) == 1
    assert storage.jobs.get(db, job_id)["state"] == "done"
    assert "réponse 1" in manager.get(f"{job_page}/file").get_data(as_text=True)


def test_a_job_whose_worker_died_is_taken_again_after_its_lease_and_written_once(app, db, loaded):
    _answers(db, 5)
    journey = storage.journeys.get_journey(db, "cafe")
    job_id = jobs.ask_export(db, journey, fmt="csv", filters=Filters(), user_id=None, locale="en")
    taken = storage.jobs.take(db, storage.utcnow())  # a worker that dies right after
    storage.jobs.store_output(db, job_id, [b"half a file"])
    assert taken["id"] == job_id
    assert job_worker.run_due(db, app.config) == 0  # leased: nobody else takes it
    later = storage.utcnow() + storage.jobs.LEASE + timedelta(seconds=1)
    assert storage.jobs.take(db, later)["attempts"] == 2
    sql(db, "UPDATE jobs SET state = 'waiting', next_attempt_at = '2000-01-01T00:00:00Z'")
    db.commit()
    assert job_worker.run_due(db, app.config) == 1
    written = b"".join(storage.jobs.parts(db, job_id)).decode("utf-8-sig")
    assert "half a file" not in written and written.count("\r\n") == 6  # header and 5 rows


def test_a_job_is_seen_only_by_who_asked_and_by_admins(app, db, loaded):
    _answers(db, 1)
    viewer = logged_in(app, db, "victor", "viewer")
    job_page = ask_export(viewer, "cafe", "xlsx")
    job_worker.run_due(db, app.config)
    assert viewer.get(f"{job_page}/file").status_code == 200
    other = logged_in(app, db, "vera", "viewer")
    assert other.get(job_page).status_code == 404
    assert other.get(f"{job_page}/file").status_code == 404
    assert logged_in(app, db, "ana", "admin").get(job_page).status_code == 200
    forged = viewer.post("/admin/j/cafe/exports", data={"format": "xlsx", "csrf_token": "x"})
    assert forged.status_code == 400
    assert storage.jobs.queue_state(db)["waiting"] == 0  # nothing asked by the forged post


def test_finished_jobs_and_their_files_are_forgotten_after_a_day(app, db, loaded):
    _answers(db, 1)
    manager = logged_in(app, db, "maria", "admin")
    response = export_responses(manager, "cafe", "csv")
    assert response.status_code == 200
    assert jobs.forget_old(db, storage.utcnow()) == 0
    assert jobs.forget_old(db, storage.utcnow() + jobs.KEEP + timedelta(minutes=1)) == 1
    assert sql(db, "SELECT count(*) FROM job_files")[0][0] == 0


def test_an_import_whose_worker_is_killed_goes_on_after_its_last_part_and_invites_once(
    app, db, loaded
):
    customers = 150_000
    upload = ("customer\n" + "".join(f"C-{i}\n" for i in range(customers))).encode()
    manager = logged_in(app, db, "maria", "admin")
    page = manager.get("/admin/j/cafe/m/meal/invite").get_data(as_text=True)
    asked = manager.post(
        "/admin/j/cafe/m/meal/invite",
        data={
            **form_fields(page, "invite"),
            "delivery": "links",
            "customers": (io.BytesIO(upload), "clients.csv"),
        },
        content_type="multipart/form-data",
    )
    job_id = asked.headers["Location"].rsplit("/", 1)[1]

    def job():
        with storage.connect(app.config["DATABASE"]) as look:
            return storage.jobs.get(look, job_id)

    worker = subprocess.Popen([SURVEYAPP, "jobs", "--loop"], env=os.environ.copy())
    try:
        wait_until(lambda: job()["done"] > 0, "the import's first part")
    finally:
        worker.kill()  # SIGKILL, in the middle of the import
        worker.wait()
    killed = job()
    assert killed["state"] == "running" and 0 < killed["done"] < customers, killed
    # Its lease runs out; any worker takes it again.
    sql(db, "UPDATE jobs SET next_attempt_at = '2000-01-01T00:00:00Z'")
    db.commit()
    assert job_worker.run_due(db, app.config) == 1
    finished = job()
    assert finished["state"] == "done" and finished["attempts"] == 2
    assert finished["result"]["made"] == customers and finished["result"]["skipped"] == {}
    made = sql(db, "SELECT count(*), count(DISTINCT customer_ref) FROM invitations").fetchone()
    assert tuple(made) == (customers, customers)
    links = manager.get(f"/admin/jobs/{job_id}/file").get_data(as_text=True)
    assert links.count("\r\n") == customers + 1 and links.count(",created,") == customers
