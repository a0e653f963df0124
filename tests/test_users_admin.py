"""Accounts administered from the browser: creating one whose owner sets their password by
a single-use link (emailed over real SMTP, or shown once), roles, viewers limited to some
journeys, disabling, deleting, and the audit log of it all."""

from __future__ import annotations

import re

import pytest

from surveyapp import storage
from surveyapp.domain import i18n
from surveyapp.domain.themes import Theme
from surveyapp.services import accounts
from tests.helpers import (
    PASSWORD,
    admin_log_in,
    answers_living,
    confirm_on,
    csrf_token,
    mail_round,
    record_scored,
    sql,
)

USERS = "/admin/users"


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True).replace("\u202f", " "))


def create(client, **fields):
    page = client.get(USERS).get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "role": "viewer", **fields}
    return client.post(USERS, data=data)


def act(client, db, username, action, **fields):
    user = storage.accounts.get_user(db, username=username)
    page = client.get(USERS).get_data(as_text=True)
    prefix = f"u{user['id']}-"
    data = {f"{prefix}csrf_token": csrf_token(page), f"{prefix}role": user["role"]}
    data.update({f"{prefix}{k}": v for k, v in fields.items()})
    return client.post(f"{USERS}/{user['id']}", data={**data, "action": action})


def reset_path(link: str) -> str:
    return re.search(r"/admin/reset/[A-Za-z0-9_-]+", link).group(0)


def audit_actions(db) -> list[str]:
    return [row[0] for row in sql(db, "SELECT action FROM audit_log ORDER BY id").fetchall()]


def test_a_new_viewer_sets_their_password_by_the_emailed_link_and_logs_in(
    mailing_app, mailing_manager, smtp_server, db
):
    made = create(mailing_manager, username="ion", email="ion@example.ro", journeys="cafe")
    assert made.status_code == 303
    (message,) = smtp_server.to("ion@example.ro")
    path = reset_path(message.get_content())
    visitor = mailing_app.test_client()
    page = visitor.get(path)
    assert "ion" in text(page)
    token = csrf_token(page.get_data(as_text=True))
    new = "a new long password"
    assert (
        visitor.post(path, data={"csrf_token": token, "password": new, "again": new}).status_code
        == 303
    )
    assert admin_log_in(visitor, "ion", new).status_code == 303
    assert storage.accounts.get_user(db, username="ion")["last_login_at"]
    assert audit_actions(db) == ["user.created", "user.reset_link", "user.password_set"]
    log = text(mailing_manager.get("/admin/audit"))
    assert "compte créé" in log and "maria" in log


def test_a_reset_link_works_once_and_then_says_so(mailing_app, mailing_manager, smtp_server, db):
    create(mailing_manager, username="ion", email="ion@example.ro")
    path = reset_path(smtp_server.messages[0].get_content())
    visitor = mailing_app.test_client()
    token = csrf_token(visitor.get(path).get_data(as_text=True))
    differ = visitor.post(path, data={"csrf_token": token, "password": "x" * 12, "again": "y" * 12})
    assert differ.status_code == 422
    short = visitor.post(path, data={"csrf_token": token, "password": "short", "again": "short"})
    assert short.status_code == 422
    easy = {"csrf_token": token, "password": "azertyuiop", "again": "azertyuiop"}
    refused = visitor.post(path, data=easy)
    assert refused.status_code == 422 and "trop facile à deviner" in text(refused)
    good = {"csrf_token": token, "password": "a long password", "again": "a long password"}
    assert visitor.post(path, data=good).status_code == 303
    again = visitor.post(
        path, data={**good, "password": "another password!", "again": "another password!"}
    )
    assert again.status_code == 410 and "déjà été utilisé" in text(again)
    assert admin_log_in(visitor, "ion", "another password!").status_code == 422
    assert visitor.get("/admin/reset/" + "A" * 32).status_code == 404


def test_an_account_has_one_live_reset_link_which_dies_with_a_new_password_or_disabling(
    mailing_app, db, run_cli
):
    from surveyapp.services import users

    accounts.create(db, "ion", "an old password", "viewer")
    ion = storage.accounts.get_user(db, username="ion")
    visitor = mailing_app.test_client()
    first = reset_path(users.reset_link(db, ion, base_url="", by="maria"))
    second = reset_path(users.reset_link(db, ion, base_url="", by="maria"))
    assert visitor.get(first).status_code == 404  # a newer link replaced it
    assert visitor.get(second).status_code == 200
    changed = run_cli("admin", "password", "ion", "--password-stdin", input="a new long password\n")
    assert changed.exit_code == 0, changed.output
    assert visitor.get(second).status_code == 404  # the password changed
    third = reset_path(users.reset_link(db, ion, base_url="", by="maria"))
    users.change(db, ion, by="maria", disabled=True)
    assert visitor.get(third).status_code == 404  # the account was disabled


def test_an_expired_reset_link_sets_nothing(mailing_app, mailing_manager, smtp_server, db):
    create(mailing_manager, username="ion", email="ion@example.ro")
    path = reset_path(smtp_server.messages[0].get_content())
    sql(db, "UPDATE password_resets SET expires_at = '2000-01-01T00:00:00Z'")
    db.commit()
    assert mailing_app.test_client().get(path).status_code == 410


def test_without_email_the_link_is_shown_once_to_the_admin(manager, db):
    made = create(manager, username="ion")
    assert made.status_code == 200
    assert reset_path(made.get_data(as_text=True))
    assert "/admin/reset/" not in manager.get(USERS).get_data(as_text=True)


def test_a_viewer_limited_to_one_journey_is_refused_the_others(app, manager, db):
    create(manager, username="ion", journeys="cafe")
    storage.accounts.set_password_hash(
        db, "ion", storage.accounts.get_user(db, username="maria")["password_hash"]
    )
    ion = app.test_client()
    assert admin_log_in(ion, "ion", PASSWORD).status_code == 303
    assert ion.get("/admin/j/cafe").status_code == 200
    for path in (
        "/admin/j/saas-onboarding",
        "/admin/j/saas-onboarding/followups",
        "/admin/j/saas-onboarding/insights",
        "/admin/j/saas-onboarding/m/billing/comments",
        "/admin/j/saas-onboarding/export/responses.csv",
    ):
        assert ion.get(path).status_code == 403, path
    assert ion.post("/admin/j/saas-onboarding/exports", data={"format": "csv"}).status_code == 403
    listing = ion.get("/admin/").get_data(as_text=True)
    assert "/admin/j/cafe" in listing and "/admin/j/saas-onboarding" not in listing
    for path in (USERS, "/admin/audit"):
        assert ion.get(path).status_code == 403


def test_a_disabled_account_is_logged_out_and_cannot_log_in_until_enabled(app, manager, viewer, db):
    assert viewer.get("/admin/").status_code == 200
    assert act(manager, db, "victor", "disable").status_code == 303
    assert viewer.get("/admin/").status_code == 302  # its session ended
    assert admin_log_in(app.test_client(), "victor", PASSWORD).status_code == 422
    assert act(manager, db, "victor", "enable").status_code == 303
    assert admin_log_in(app.test_client(), "victor", PASSWORD).status_code == 303
    assert audit_actions(db)[-2:] == ["user.disabled", "user.enabled"]


def test_a_role_and_a_scope_are_changed_and_an_account_deleted(manager, viewer, db):
    assert act(manager, db, "victor", "save", role="admin").status_code == 303
    assert storage.accounts.get_user(db, username="victor")["role"] == "admin"
    assert (
        act(manager, db, "victor", "save", role="viewer", journeys="saas-onboarding").status_code
        == 303
    )
    assert storage.accounts.get_user(db, username="victor")["journeys"] == '["saas-onboarding"]'
    asked = act(manager, db, "victor", "delete")
    assert asked.status_code == 200 and storage.accounts.get_user(db, username="victor")
    assert confirm_on(manager, asked).status_code == 303
    assert storage.accounts.get_user(db, username="victor") is None
    assert viewer.get("/admin/").status_code == 302
    assert audit_actions(db) == ["user.role", "user.role", "user.journeys", "user.deleted"]


def test_an_admin_cannot_lock_themselves_out(manager, db):
    for action, fields in (("disable", {}), ("delete", {}), ("save", {"role": "viewer"})):
        response = act(manager, db, "maria", action, **fields)
        assert response.status_code == 422
        assert "votre propre compte" in text(response)
    assert storage.accounts.get_user(db, username="maria")["role"] == "admin"
    assert audit_actions(db) == []


@pytest.mark.parametrize(
    "fields",
    [
        {"username": "ion", "email": "not an email"},
        {"username": "ion", "journeys": "nowhere"},
        {"username": "ion", "role": "owner"},
        {"username": "maria"},
        {"username": "two words"},
        {"username": ""},
    ],
)
def test_a_bad_account_is_refused_with_a_message_and_nothing_is_made(manager, db, fields):
    response = create(manager, **fields)
    assert response.status_code == 422
    assert 'class="notice"' in response.get_data(as_text=True)
    assert [u["username"] for u in storage.accounts.list_users(db)] == ["maria"]
    assert audit_actions(db) == []


def test_the_target_time_change_is_in_the_audit_log(manager, db):
    page = manager.get("/admin/j/cafe/followups").get_data(as_text=True)
    manager.post(
        "/admin/j/cafe/followups/target", data={"csrf_token": csrf_token(page), "hours": "24"}
    )
    (row,) = sql(db, "SELECT actor, action, target, detail FROM audit_log").fetchall()
    assert row[:3] == ("maria", "journey.target_time", "cafe")
    assert '"to": 24' in row[3]
    audit = text(manager.get("/admin/audit"))
    assert "avant : 48" in audit and "après : 24" in audit


def test_a_scoped_viewer_gets_403_on_every_page_of_another_journey(app, manager, db):
    """Every admin route that names a journey, enumerated from the URL map."""
    saas = storage.journeys.get_journey(db, "saas-onboarding")
    moment = saas.moments[0].id
    pain = record_scored(db, saas, moment, answers_living(saas, moment, "negative"))
    create(manager, username="ion", journeys="cafe")
    storage.accounts.set_password_hash(
        db, "ion", storage.accounts.get_user(db, username="maria")["password_hash"]
    )
    ion = app.test_client()
    assert admin_log_in(ion, "ion", PASSWORD).status_code == 303
    values = {
        "journey_id": saas.id,
        "moment_id": moment,
        "response_id": pain,
        "number": 1,
        "locale": "fr",
        "followup_id": pain,
        "batch": "b1",
        "what": "responses",
        "fmt": "csv",
        "kind": "png",
        "email_id": 1,
        "theme_id": storage.themes.save_theme(
            db, saas.id, Theme(None, {"fr": "Attente"}, {"fr": ["attente"]}), by="maria"
        ),
    }
    checked = []
    for rule in app.url_map.iter_rules():
        if "journey_id" not in rule.arguments or not rule.rule.startswith("/admin"):
            continue
        path = rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
        if "GET" in rule.methods:
            assert ion.get(path).status_code == 403, path
        checked.append(rule.endpoint)
    assert len(checked) >= 15
    assert ion.get("/admin/j/cafe/followups").status_code == 200


def forgot(client, name: str):
    page = client.get("/admin/forgot?lang=fr").get_data(as_text=True)
    return client.post("/admin/forgot?lang=fr", data={"csrf_token": csrf_token(page), "name": name})


def test_a_forgotten_password_is_set_by_an_emailed_link_and_the_page_tells_nobody_who_exists(
    mailing_app, smtp_server, db
):
    accounts.create(db, "ion", "an old password", "viewer")
    storage.accounts.update_user(
        db, storage.accounts.get_user(db, username="ion")["id"], email="Ion@Example.ro"
    )
    visitor = mailing_app.test_client()
    login = visitor.get("/admin/login?lang=fr").get_data(as_text=True)
    assert 'href="/admin/forgot"' in login and "Mot de passe oublié" in login
    known, unknown = forgot(visitor, "ion@example.ro"), forgot(visitor, "nobody@example.ro")
    assert known.status_code == unknown.status_code == 303
    assert known.headers["Location"] == unknown.headers["Location"]
    said = text(visitor.get(known.headers["Location"]))
    assert "Si un compte porte ce nom ou cette adresse" in said
    # The page sent nothing itself (it answers as fast for nobody): the worker sends.
    assert smtp_server.messages == []
    assert mail_round(mailing_app.config).sent == 1
    (message,) = smtp_server.messages  # one email: to the account that exists
    assert message["To"] == "Ion@Example.ro"
    forgot(visitor, "ion")  # asked again at once: no second email
    assert mail_round(mailing_app.config).sent == 0
    assert len(smtp_server.messages) == 1
    path = reset_path(message.get_content())
    token = csrf_token(visitor.get(path).get_data(as_text=True))
    new = {"csrf_token": token, "password": "a brand new one", "again": "a brand new one"}
    assert visitor.post(path, data=new).status_code == 303
    assert admin_log_in(visitor, "ion", "a brand new one").status_code == 303
    assert forgot(mailing_app.test_client(), "").status_code == 422


def test_a_password_link_that_cannot_be_sent_is_tried_again_and_makes_no_link_until_sent(
    mailing_app, smtp_server, db
):
    accounts.create(db, "ion", "an old password", "viewer")
    user = storage.accounts.get_user(db, username="ion")
    storage.accounts.update_user(db, user["id"], email="ion@example.ro")
    smtp_server.refuse.add("ion@example.ro")
    forgot(mailing_app.test_client(), "ion")
    assert mail_round(mailing_app.config).failed == 1
    state = storage.reset_requests.queue_state(db)
    assert state["waiting"] == 1  # due again later
    (row,) = sql(db, "SELECT last_error FROM reset_requests")
    assert "recipient was refused (550" in i18n.stored_text(row[0], "en")
    smtp_server.refuse.clear()
    sql(db, "UPDATE reset_requests SET next_attempt_at = '2000-01-01T00:00:00Z'")
    assert mail_round(mailing_app.config).sent == 1
    assert storage.reset_requests.queue_state(db)["waiting"] == 0
    forgot(mailing_app.test_client(), "ion@example.ro")  # within 5 min: not queued again
    assert storage.reset_requests.queue_state(db)["waiting"] == 0


def test_every_action_the_code_records_in_the_audit_log_has_words():
    """An action missing from audit_vocabulary would show as its raw code."""
    from pathlib import Path

    from surveyapp.domain.audit_vocabulary import AUDIT_ACTIONS

    source = "".join(
        path.read_text(encoding="utf-8")
        for path in Path(storage.__file__).parents[1].rglob("*.py")
        if path.name != "audit_vocabulary.py"
    )
    recorded = set(re.findall(r'"((?:user|journey|apikey|webhook)\.[a-z_]+)"', source))
    assert recorded and recorded <= set(AUDIT_ACTIONS), recorded - set(AUDIT_ACTIONS)
