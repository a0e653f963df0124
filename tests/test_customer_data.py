"""A customer's data on request: everything stored about them across journeys, as one
JSON file from the browser, the API and the CLI, and its erasure from the browser; each
in the audit log, which never keeps the address it was asked to forget."""

from __future__ import annotations

import json
import re

import jsonschema_rs
import pytest

from surveyapp import storage
from tests.helpers import confirm_on, csrf_token, get_then_post, make_invitation, sql

PAGE = "/admin/customers"
EMAIL = "ion.popescu@example.com"


@pytest.fixture
def footprint(app, db, loaded):
    """Ion (C-1, ion.popescu@example.com) invited to two journeys; he answered the café's
    meal badly with a comment, left his address as a contact, and a manager wrote him."""
    token = make_invitation(db, loaded["cafe"], customer="C-1", email=EMAIL)
    make_invitation(db, loaded["saas-onboarding"], "delivery", customer="C-1", email=EMAIL)
    make_invitation(db, loaded["cafe"], "bill", customer="C-2", email="ana@example.com")
    client = app.test_client()
    posted = get_then_post(client, f"/s/{token}", {"experience": "negative", "why": "Supa rece"})
    thanks = client.get(posted.headers["Location"]).get_data(as_text=True)
    client.post(
        "/j/cafe/meal/contact?lang=ro",
        data={"contact": EMAIL.upper(), "consent": "y", "csrf_token": csrf_token(thanks)},
    )
    (item,) = [r[0] for r in sql(db, "SELECT response_id FROM followups").fetchall()]
    storage.followups.update_followup(db, item, by="maria", note="Rappeler avant vendredi")
    storage.customer_emails.queue(
        db,
        response_id=item,
        kind="contact",
        to=EMAIL,
        locale="ro",
        by="maria",
        now=storage.utcnow(),
        subject="Ne pare rău",
        body="Bună ziua, Ion",
    )
    return item


def ask(manager, action: str, **who):
    page = manager.get(PAGE).get_data(as_text=True)
    return manager.post(PAGE, data={"csrf_token": csrf_token(page), "action": action, **who})


def audit(db) -> list[tuple[str, str]]:
    return [tuple(r) for r in sql(db, "SELECT action, target FROM audit_log ORDER BY id")]


def stored_text(db) -> str:
    """Every text column of every table, as one string: where an address could hide."""
    found = []
    for table in storage.tables.metadata.sorted_tables:
        for row in sql(db, f"SELECT * FROM {table.name}").fetchall():
            found += [str(v) for v in row if isinstance(v, str)]
    return "\n".join(found).lower()


def test_an_admin_downloads_everything_stored_about_a_customer_across_journeys(
    manager, db, footprint
):
    got = ask(manager, "export", reference="C-1")
    assert got.status_code == 200 and got.mimetype == "application/json"
    assert got.headers["Content-Disposition"] == 'attachment; filename="customer-data-C-1.json"'
    data = got.get_json()
    assert {i["journey_id"] for i in data["invitations"]} == {"cafe", "saas-onboarding"}
    (response,) = data["responses"]
    assert response["answers"]["why"] == "Supa rece"
    # As the survey asked it, in the language he answered in.
    assert response["answers_said"] == [
        {"question": "Masa dumneavoastră: cum a fost?", "answer": "Rău"},
        {"question": "De ce? Spuneți-ne în câteva cuvinte.", "answer": "Supa rece"},
    ]
    (followup,) = data["followups"]
    assert followup["contact"] == EMAIL.upper() and followup["note"] == "Rappeler avant vendredi"
    assert [e["subject"] for e in data["emails"]] == ["Ne pare rău"]
    assert "token" not in json.dumps(data) and "ana@example.com" not in json.dumps(data)
    assert audit(db)[-1] == ("customer.exported", "C-1")


def test_a_customer_is_found_by_email_whatever_its_case_and_the_log_keeps_no_address(
    manager, db, footprint
):
    data = ask(manager, "export", email=EMAIL.upper()).get_json()
    assert len(data["invitations"]) == 2 and len(data["responses"]) == 1
    action, target = audit(db)[-1]
    assert action == "customer.exported" and target.startswith("email sha256:")
    assert "ion.popescu" not in json.dumps(audit(db))


def test_erasing_asks_first_then_no_row_names_the_customer_and_the_answers_still_count(
    manager, db, footprint
):
    before = storage.tallies.moment_tallies(db, "cafe")["meal"]
    asked = ask(manager, "forget", reference="C-1", email=EMAIL)
    said = re.sub(r"\s+", " ", asked.get_data(as_text=True).replace("\u202f", " "))
    assert "Effacer les données de C-1 ?" in said
    assert "2 invitations, 1 réponse, 1 suivi et 1 e-mail au client" in said
    assert EMAIL in stored_text(db)  # nothing changed before the red button
    erased = confirm_on(manager, asked)
    assert erased.status_code == 200 and "Les données de C-1 sont effacées." in erased.get_data(
        as_text=True
    )
    assert "ion.popescu" not in stored_text(db) and "c-1" not in [
        r[0] for r in sql(db, "SELECT customer_ref FROM invitations").fetchall()
    ]
    assert "ana@example.com" in stored_text(db)  # another customer is untouched
    assert storage.tallies.moment_tallies(db, "cafe")["meal"] == before
    assert sql(db, "SELECT COUNT(*) FROM responses").fetchone()[0] == 1
    nothing = ask(manager, "export", reference="C-1")
    assert nothing.status_code == 404 and "Rien n’est conservé" in nothing.get_data(as_text=True)
    assert [a for a, _ in audit(db)] == ["customer.forgotten"]


def test_a_form_without_a_customer_is_refused_and_a_viewer_cannot_open_the_page(
    manager, viewer, db, footprint
):
    refused = ask(manager, "export")
    assert refused.status_code == 422
    assert "Indiquez la référence du client ou son adresse e-mail." in refused.get_data(
        as_text=True
    ).replace("\u202f", " ")
    assert viewer.get(PAGE).status_code in (302, 403)
    assert audit(db) == []


def test_the_api_exports_as_its_document_says_and_erases(app, api, db, footprint):
    schema_of = app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    got = api("post", "/customers/export", json={"email": EMAIL})
    assert got.status_code == 200
    answer = schema_of["/customers/export"]["post"]["responses"]["200"]["content"]
    validator = jsonschema_rs.validator_for(answer["application/json"]["schema"])
    assert validator.is_valid(got.get_json())
    erased = api("post", "/customers/erase", json={"reference": "C-1", "email": EMAIL})
    assert erased.status_code == 200
    assert erased.get_json()["erased"]["invitations"] == 2
    assert api("post", "/customers/export", json={"reference": "C-1"}).status_code == 404
    assert [a for a, _ in audit(db)] == ["customer.exported", "customer.forgotten"]
    assert audit(db)[-1][1] == "C-1"


@pytest.mark.parametrize(
    "body", [{}, {"reference": 3}, {"reference": "C-1", "name": "Ion"}, {"reference": "  "}]
)
def test_the_api_refuses_a_body_that_names_no_customer(api, db, footprint, body):
    refused = api("post", "/customers/export", json=body)
    assert refused.status_code == 422 and refused.mimetype == "application/problem+json"
    assert audit(db) == []


def test_the_cli_writes_the_json_and_forgets_by_email(run_cli, db, footprint):
    data = json.loads(run_cli("customer-data", "C-1").output)
    assert len(data["invitations"]) == 2
    said = run_cli("forget", "--email", EMAIL).output
    assert "2 invitations and 1 responses no longer name them" in said
    assert "ion.popescu" not in stored_text(db)
