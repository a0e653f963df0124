"""Follow-ups through the API: the inbox's filters (checked strictly), one item with its
history, changes with their revision and Idempotency-Key, and the webhook event a status
change sends."""

from __future__ import annotations

import json

import pytest

from surveyapp import storage
from surveyapp.services import accounts
from tests.helpers import answers_living, invited_pain, record_scored, sql

BASE = "/journeys/cafe/followups"


@pytest.fixture
def pains(db):
    """Two moments of pain at the meal (one invited, in Romanian), one at the bill."""
    accounts.create(db, "maria", "correct horse battery", "admin")
    journey = storage.journeys.get_journey(db, "cafe")
    meal = invited_pain(db, hours_ago=60)
    bill = record_scored(db, journey, "bill", answers_living(journey, "bill", "negative"))
    other = record_scored(db, journey, "meal", answers_living(journey, "meal", "negative"))
    return {"meal": meal, "bill": bill, "other": other}


def test_the_list_has_the_inboxs_filters_totals_and_due_dates(api, pains):
    everything = api("get", BASE).get_json()
    assert (everything["total"], everything["page"], everything["pages"]) == (3, 1, 1)
    meal = api("get", f"{BASE}?moment=meal&locale=ro").get_json()
    (item,) = meal["followups"]
    assert item["id"] == pains["meal"] and item["customer"] == "C-1"
    assert item["overdue"] is True and item["due_at"] > item["created_at"]
    paged = api("get", f"{BASE}?limit=2&page=2").get_json()
    assert (len(paged["followups"]), paged["pages"]) == (1, 2)
    assert api("get", f"{BASE}?age=overdue").get_json()["total"] == 1


@pytest.mark.parametrize(
    "query, path",
    [
        ("status=bogus", "status"),
        ("moment=nowhere", "moment"),
        ("owner=ghost", "owner"),
        ("page=0", "page"),
        ("limit=101", "limit"),
        ("color=red", "color"),
        ("q=" + "x" * 201, "q"),
    ],
)
def test_a_filter_value_that_is_not_one_of_its_own_is_a_422(api, pains, query, path):
    response = api("get", f"{BASE}?{query}")
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["path"] == path


def test_one_followup_comes_with_its_history_and_only_from_its_journey(api, pains, db):
    storage.followups.update_followup(db, pains["meal"], by="maria", status="contacted")
    item = api("get", f"{BASE}/{pains['meal']}").get_json()
    assert item["status"] == "contacted" and item["revision"] == 1
    assert [e["action"] for e in item["history"]] == ["status"]
    assert api("get", f"/journeys/saas-onboarding/followups/{pains['meal']}").status_code == 404
    assert api("get", f"{BASE}/999999").status_code == 404


def test_a_status_change_is_kept_with_the_keys_name_and_sent_as_a_webhook_event(api, pains, db):
    storage.webhooks.add_webhook(
        db, "cafe", "https://crm.example/hooks", "whsec_x", ["followup.status_changed"]
    )
    response = api(
        "patch", f"{BASE}/{pains['meal']}", json={"status": "resolved", "note": "Rambursat"}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["note"], body["updated_by"]) == (
        "resolved",
        "Rambursat",
        "api:order-system",
    )
    assert body["resolved_at"]
    assert storage.followups.open_followups(db, "cafe") == {"meal": 1, "bill": 1}
    (event, payload) = sql(db, "SELECT event, payload FROM webhook_outbox").fetchone()
    data = json.loads(payload)["data"]
    assert event == "followup.status_changed"
    assert (data["id"], data["from"], data["to"], data["customer"]) == (
        pains["meal"],
        "open",
        "resolved",
        "C-1",
    )
    # A change that is not of the status sends no event.
    api("patch", f"{BASE}/{pains['meal']}", json={"note": "Rambursat integral"})
    assert sql(db, "SELECT COUNT(*) FROM webhook_outbox").fetchone()[0] == 1


def test_a_change_on_a_stale_revision_is_refused_and_changes_nothing(api, pains, db):
    item = pains["meal"]
    assert api("patch", f"{BASE}/{item}", json={"owner": "maria", "revision": 0}).status_code == 200
    stale = api("patch", f"{BASE}/{item}", json={"status": "resolved", "revision": 0})
    assert stale.status_code == 409
    assert stale.get_json()["code"] == "stale_revision"
    assert storage.inbox.followup_item(db, "cafe", item)["status"] == "open"


@pytest.mark.parametrize(
    "body, path",
    [
        ({"status": "closed"}, "status"),
        ({"owner": "ghost"}, "owner"),
        ({"note": "x" * 2001}, "note"),
        ({"note": 42}, "note"),
        ({"revision": "1"}, "revision"),
        ({"revision": True}, "revision"),
        ({"priority": "high"}, "priority"),
    ],
)
def test_a_bad_change_is_refused_with_its_path_and_changes_nothing(api, pains, db, body, path):
    response = api("patch", f"{BASE}/{pains['meal']}", json=body)
    assert response.status_code == 422
    assert [d["path"] for d in response.get_json()["errors"]] == [path]
    assert storage.inbox.history(db, pains["meal"]) == []


@pytest.mark.parametrize("body", [[], {}, "resolved", 3])
def test_a_body_that_is_not_a_change_is_refused(api, pains, body):
    assert api("patch", f"{BASE}/{pains['meal']}", json=body).status_code == 422


def test_a_retried_change_with_its_idempotency_key_is_replayed_not_made_twice(api, pains, db):
    headers = {"Idempotency-Key": "crm-ticket-77-close"}
    change = {"status": "resolved", "revision": 0}
    first = api("patch", f"{BASE}/{pains['meal']}", json=change, headers=dict(headers))
    again = api("patch", f"{BASE}/{pains['meal']}", json=change, headers=dict(headers))
    assert (first.status_code, again.status_code) == (200, 200)  # not 409: a replay
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert len(storage.inbox.history(db, pains["meal"])) == 1
    other = api("patch", f"{BASE}/{pains['meal']}", json={"note": "x"}, headers=dict(headers))
    assert other.status_code == 422
    assert other.get_json()["code"] == "idempotency_key_reused"


def test_the_followups_api_needs_a_key(client, pains):
    assert client.get(f"/api/v1{BASE}").status_code == 401
    assert (
        client.patch(f"/api/v1{BASE}/{pains['meal']}", json={"status": "resolved"}).status_code
        == 401
    )
