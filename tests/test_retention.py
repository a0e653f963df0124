"""Retention: a journey's responses, contacts and invitations older than its window,
counted before it is switched on, then deleted or anonymized by the jobs worker, in the
audit log, with the window said on the dashboard and the insights."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from surveyapp import storage
from tests.helpers import confirm_on, csrf_token, make_invitation, sql

PAGE = "/admin/j/cafe/retention"


@pytest.fixture
def history(db, loaded):
    """Three answers of 400 days ago (two of pain, one from C-9's emailed invitation of
    then, who left a contact) and two of last week, one of pain."""
    make_invitation(db, loaded["cafe"], customer="C-9", email="old@example.com")
    old = storage.utcnow() - timedelta(days=400)
    sql(db, "UPDATE invitations SET created_at = ?", (storage.iso(old),))
    (invitation_id,) = sql(db, "SELECT id FROM invitations").fetchone()
    ids = [
        answer(db, 400, "negative", ref="C-9", invitation_id=invitation_id),
        answer(db, 401, "negative"),
        answer(db, 402, "positive"),
        answer(db, 6, "negative", ref="C-3"),
        answer(db, 5, "positive"),
    ]
    sql(db, "UPDATE followups SET contact = 'old@example.com' WHERE response_id = ?", (ids[0],))
    return ids


def answer(db, days_ago, polarity, ref=None, invitation_id=None) -> int:
    return storage.responses.record_response(
        db,
        journey_id="cafe",
        moment_id="meal",
        locale="fr",
        channel="email" if invitation_id else "link",
        polarity=polarity,
        answers={"experience": polarity},
        increments={"responses": 1, polarity: 1},
        created_at=storage.utcnow() - timedelta(days=days_ago),
        customer_ref=ref,
        invitation_id=invitation_id,
    )


def said(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True).replace("\u202f", " "))


def count(db, table: str) -> int:
    return sql(db, f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def post_window(manager, days, action):
    token = csrf_token(manager.get(PAGE).get_data(as_text=True))
    return manager.post(PAGE, data={"csrf_token": token, "days": days, "action": action})


def test_switching_retention_on_counts_what_it_would_change_first_and_changes_nothing_then(
    manager, db, history
):
    asked = post_window(manager, "365", "delete")
    assert asked.status_code == 200
    page = said(asked)
    assert "Conserver les données de Café des Arts pendant 365 jours ?" in page
    assert "la suppression toucherait 3 réponses, 2 suivis et 1 invitation d’avant le" in page
    assert count(db, "responses") == 5 and storage.retention.window(db, "cafe") is None
    switched = confirm_on(manager, asked)
    assert switched.status_code == 303
    assert "La conservation est activée" in said(manager.get(switched.headers["Location"]))
    assert storage.retention.window(db, "cafe")["days"] == 365
    assert count(db, "responses") == 5  # the worker applies it, not the page
    actions = [r[0] for r in sql(db, "SELECT action FROM audit_log").fetchall()]
    assert actions == ["journey.retention"]


def test_the_jobs_worker_deletes_older_data_and_every_figure_covers_the_window(
    manager, db, run_cli, history
):
    storage.retention.set_window(db, "cafe", 365, "delete", by="maria")
    assert storage.followups.open_followups(db, "cafe") == {"meal": 3}
    run_cli("jobs")
    assert sorted(r[0] for r in sql(db, "SELECT id FROM responses").fetchall()) == history[3:]
    assert count(db, "invitations") == 0 and count(db, "followups") == 1
    # The dashboard's counts lose the deleted days too, and say which window they cover.
    assert storage.tallies.moment_tallies(db, "cafe")["meal"]["responses"] == 2
    assert storage.followups.open_followups(db, "cafe") == {"meal": 1}
    board = said(manager.get("/admin/j/cafe"))
    assert "couvrent au plus les 365 derniers jours" in board
    assert "couvrent au plus les 365 derniers jours" in said(manager.get("/admin/j/cafe/insights"))
    (detail,) = sql(
        db, "SELECT detail FROM audit_log WHERE action = 'journey.retention_applied'"
    ).fetchall()
    assert '"responses": 3' in detail[0] and '"invitations": 1' in detail[0]
    run_cli("jobs")  # not again within the hour
    assert count(db, "audit_log") == 2
    assert "C-9" not in str(sql(db, "SELECT * FROM followups").fetchall())


def test_anonymizing_keeps_every_answer_counted_and_names_nobody(db, run_cli, history):
    before = storage.tallies.moment_tallies(db, "cafe")
    storage.retention.set_window(db, "cafe", 365, "anonymize", by="maria")
    run_cli("jobs")
    assert count(db, "responses") == 5 and storage.tallies.moment_tallies(db, "cafe") == before
    refs = sql(db, "SELECT customer_ref FROM responses ORDER BY id").fetchall()
    assert [r[0] for r in refs] == [None, None, None, "C-3", None]
    assert sql(db, "SELECT customer_ref, email FROM invitations").fetchall() == [(None, None)]
    assert sql(db, "SELECT contact FROM followups WHERE contact IS NOT NULL").fetchall() == []


def test_a_window_out_of_range_is_refused_and_a_viewer_cannot_set_one(manager, viewer, db):
    refused = post_window(manager, "10", "delete")
    assert refused.status_code == 422 and storage.retention.window(db, "cafe") is None
    assert viewer.get(PAGE).status_code in (302, 403)


def test_the_cli_counts_sets_and_turns_retention_off(run_cli, db, history):
    dry = run_cli("retention", "cafe", "--days", "365", "--action", "delete", "--dry-run").output
    assert "would delete now: 3 responses, 2 followups, 1 invitations" in dry
    assert storage.retention.window(db, "cafe") is None
    assert (
        "delete what is older than 365 days"
        in run_cli("retention", "cafe", "--days", "365", "--action", "delete").output
    )
    assert "kept without limit" in run_cli("retention", "cafe", "--off").output
