"""`surveyapp db copy`: a whole SQLite installation moved to PostgreSQL and back gives
the same scores, exports and API answers, and new rows continue after the copied ids."""

from __future__ import annotations

from surveyapp import create_app, storage
from surveyapp.services import accounts, apikeys, webhooks
from surveyapp.storage import schema
from tests.helpers import (
    admin_log_in,
    export_responses,
    followups,
    get_then_post,
    make_invitation,
    record_scored,
    sql,
)

API_PATHS = (
    "/api/v1/journeys",
    "/api/v1/journeys/cafe/scores",
    "/api/v1/responses?limit=500",
    "/api/v1/responses?journey=saas-onboarding",
)


def _fill(db, loaded, app) -> str:
    """An installation as a company would have it after some weeks; its API key."""
    for experience, why in (("negative", "Froid"), ("positive", "Parfait"), ("neutral", "")):
        get_then_post(
            app.test_client(), "/j/cafe/meal?lang=fr", {"experience": experience, "why": why}
        )
    record_scored(db, loaded["saas-onboarding"], "recommendation", {"recommend": 9}, locale="ro")
    token = make_invitation(db, loaded["cafe"], customer="C-7", email="c7@example.com")
    get_then_post(app.test_client(), f"/s/{token}", {"experience": "negative"})
    make_invitation(db, loaded["cafe"], moment_id="bill", customer="C-8")  # not answered
    pain = followups(db, "cafe")[0]["response_id"]
    storage.followups.update_followup(db, pain, status="resolved", note="Rappelé", by="ana")
    accounts.create(db, "ana", "correct horse battery", "admin")
    storage.webhooks.add_webhook(
        db, "cafe", "http://127.0.0.1:9/h", webhooks.new_secret(), ["response.created"]
    )
    return apikeys.create(db, "crm")


def _seen(database: str, key: str) -> dict:
    """What a manager and a program see of an installation."""
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "DATABASE": database})
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    seen = {path: client.get(path, headers=headers).get_json() for path in API_PATHS}
    assert admin_log_in(client, "ana", "correct horse battery").status_code == 303
    export = export_responses(client, "cafe", "csv")
    assert export.status_code == 200
    seen["export"] = export.get_data(as_text=True)
    with storage.open_database(database) as db:
        seen["tallies"] = storage.tallies.moment_tallies(db, "cafe")
        seen["open"] = storage.followups.open_followups(db, "cafe")
        seen["followups"] = followups(db, "cafe")
    return seen


def test_an_installation_copied_to_postgresql_and_back_is_the_same(
    db, db_path, loaded, app, run_cli, postgres_cluster, tmp_path
):
    key = _fill(db, loaded, app)
    before = _seen(str(db_path), key)
    target = postgres_cluster.new_database()

    output = run_cli("db", "copy", "--to", target).output
    assert "responses                     5 rows" in output
    assert "every table's count verified" in output and "***" in output  # no password shown
    assert _seen(target, key) == before

    with storage.open_database(target) as copy:  # ids go on after the copied ones
        new_id = record_scored(copy, loaded["cafe"], "meal", {"experience": "positive"})
        assert new_id == 1 + sql(db, "SELECT MAX(id) FROM responses").fetchone()[0]
        assert storage.responses.count_responses(copy) == 6

    back = tmp_path / "back.db"
    output = run_cli("db", "copy", "--from", target, "--to", back).output
    assert "responses                     6 rows" in output
    with storage.open_database(back) as returned:
        assert storage.responses.count_responses(returned) == 6
        assert storage.tallies.moment_tallies(returned, "cafe")["meal"]["positive"] == 2
    storage.dispose_all()
    postgres_cluster.drop_database(target)


def test_a_copy_into_a_database_that_holds_rows_is_refused_and_changes_nothing(
    db, db_path, loaded, runner, postgres_cluster
):
    from surveyapp.cli import cli

    target = postgres_cluster.new_database()
    assert runner.invoke(cli, ["db", "copy", "--to", target]).exit_code == 0
    record_scored(db, loaded["cafe"], "meal", {"experience": "positive"})  # a later answer
    again = runner.invoke(cli, ["db", "copy", "--to", target])
    assert again.exit_code == 1
    assert "Nothing was copied: the target is not empty" in again.output
    with storage.open_database(target) as copy:
        assert storage.responses.count_responses(copy) == 0
    storage.dispose_all()
    postgres_cluster.drop_database(target)


def test_db_status_names_the_engine_and_revision_without_the_password(
    run_cli, monkeypatch, postgres_cluster
):
    target = postgres_cluster.new_database()
    monkeypatch.setenv("SURVEYAPP_DATABASE", target)
    output = run_cli("db", "status").output
    assert f"engine: postgresql, schema revision {schema.HEAD}" in output
    assert postgres_cluster.password not in output
    storage.dispose_all()
    postgres_cluster.drop_database(target)
