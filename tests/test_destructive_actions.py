"""Destructive actions ask first, on a page of their own that works without JavaScript:
what will happen, a red button that does it, a way back that changes nothing."""

from __future__ import annotations

import re

from surveyapp import storage
from surveyapp.services import accounts
from tests.helpers import answers_living, confirm_on, form_fields, record_scored, sql


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True).replace("\u202f", " "))


def owned_pains(db, owner: str, count: int) -> list[int]:
    journey = storage.journeys.get_journey(db, "cafe")
    items = [
        record_scored(db, journey, "meal", answers_living(journey, "meal", "negative"))
        for _ in range(count)
    ]
    for item in items:
        storage.followups.update_followup(db, item, by="maria", owner=owner)
    return items


def test_deleting_an_account_asks_first_and_gives_its_items_back_with_their_history(manager, db):
    accounts.create(db, "ion", "correct horse battery", "admin")
    items = owned_pains(db, "ion", 2)
    (ion_id,) = [u["id"] for u in storage.accounts.list_users(db) if u["username"] == "ion"]
    page = manager.get("/admin/users").get_data(as_text=True)
    fields = {k: v for k, v in form_fields(page, f"account-{ion_id}").items(multi=True)}
    asked = manager.post(f"/admin/users/{ion_id}", data={**fields, "action": "delete"})
    said = text(asked)
    assert asked.status_code == 200
    assert "Supprimer le compte ion ?" in said
    assert "Suivis de ce compte : 2 ; ils retournent dans la boîte partagée" in said
    assert "Cette action est irréversible." in said
    assert 'class="danger"' in asked.get_data(as_text=True)
    assert 'href="/admin/users">Annuler</a>' in asked.get_data(as_text=True)
    assert storage.accounts.get_user(db, username="ion") is not None  # asked, not done

    done = confirm_on(manager, asked)
    assert done.status_code == 303
    assert "Le compte ion a été supprimé" in text(manager.get(done.headers["Location"]))
    assert storage.accounts.get_user(db, username="ion") is None
    for item in items:
        found = storage.inbox.followup_item(db, "cafe", item)
        assert found["owner"] is None
        changes = [(e["action"], e["by"]) for e in storage.inbox.history(db, item)]
        assert changes == [("owner", "maria"), ("owner", "maria")]  # given, then given back


def test_a_forged_confirmation_changes_nothing(manager, db):
    accounts.create(db, "ion", "correct horse battery", "admin")
    (ion_id,) = [u["id"] for u in storage.accounts.list_users(db) if u["username"] == "ion"]
    forged = manager.post(
        f"/admin/users/{ion_id}",
        data={"action": "delete", "confirmed": "1", "csrf_token": "forged"},
    )
    assert forged.status_code == 422
    assert storage.accounts.get_user(db, username="ion") is not None
    assert sql(db, "SELECT count(*) FROM audit_log").fetchone()[0] == 0
