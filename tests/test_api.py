"""The REST API through the test client, on a real database."""

from __future__ import annotations

import json

import pytest

from surveyapp import create_app, storage
from surveyapp.services import apikeys
from tests.helpers import sql


def error_of(response):
    """The RFC 9457 problem an API error answers with."""
    assert response.mimetype == "application/problem+json", response.data
    problem = response.get_json(force=True)
    assert problem["status"] == response.status_code and problem["title"]
    return problem


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic abc", "Bearer sk_" + "x" * 40])
def test_a_missing_or_wrong_key_gets_401(client, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/journeys", headers=headers)
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_key_gets_401(api, db):
    assert api("get", "/journeys").status_code == 200
    storage.apikeys.revoke_api_key(db, "order-system")
    assert api("get", "/journeys").status_code == 401


def test_keys_are_stored_only_as_hashes(db, key):
    stored = sql(db, "SELECT key_hash, prefix FROM api_keys").fetchone()
    assert key not in stored and stored[0] == apikeys.key_hash(key)


def test_load_a_journey_as_json_or_yaml(api, journeys_dir):
    text = (journeys_dir / "cafe.yaml").read_text().replace("Café des Arts", "Café Nou")
    response = api("post", "/journeys", data=text, content_type="application/yaml")
    assert response.status_code == 200 and response.get_json()["status"] == "updated"
    definition = {
        "id": "shop",
        "brand": "Shop",
        "default_locale": "ro",
        "locales": ["ro"],
        "moments": [{"id": "visit", "kind": "fmot", "name": "Vizita"}],
    }
    created = api("post", "/journeys", json=definition)
    assert created.status_code == 201 and created.get_json()["status"] == "created"
    again = api("post", "/journeys", json=definition)
    assert again.get_json()["status"] == "unchanged"
    listed = {j["id"]: j for j in api("get", "/journeys").get_json()["journeys"]}
    assert listed["cafe"]["brand"] == "Café Nou" and listed["shop"]["moments"] == 1
    shop = api("get", "/journeys/shop").get_json()
    assert shop["moments"][0]["questions"] == ["experience", "first_impression", "why"]


def test_an_invalid_definition_lists_problems_by_path_and_stores_nothing(api, db):
    bad = {
        "id": "shop",
        "brand": "",
        "default_locale": "ro",
        "locales": ["ro", "de"],
        "moments": [{"id": "a", "kind": "zmott", "name": "A"}],
    }
    response = api("post", "/journeys", json=bad)
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid_definition"
    paths = {d["path"]: d["reason"] for d in error["errors"]}
    assert paths["moments[0].kind"].startswith("'zmott' is not a kind of moment")
    assert paths["locales[1]"] == "'de' is not a supported locale (fr, ro, en)"
    assert storage.journeys.get_journey(db, "shop") is None
    assert api("post", "/journeys", data="x", content_type="text/plain").status_code == 415


def test_one_invitation_and_a_batch(api, db):
    one = api(
        "post",
        "/invitations",
        json={"journey": "cafe", "moment": "meal", "customer": "C-1", "locale": "ro"},
    )
    assert one.status_code == 201
    result = one.get_json()
    assert result["status"] == "created" and result["url"].endswith(result["token"])
    assert storage.invitations.get_invitation(db, result["token"])["customer_ref"] == "C-1"
    batch = api(
        "post",
        "/invitations",
        json={
            "invitations": [
                {"journey": "cafe", "moment": "meal", "customer": "C-1"},
                {"journey": "cafe", "moment": "meal", "customer": "C-2", "email": "c2@example.ro"},
                {
                    "journey": "saas-onboarding",
                    "moment": "billing",
                    "customer": "C-3",
                    "locale": "de",
                },
            ]
        },
    )
    assert batch.status_code == 201
    results = batch.get_json()["results"]
    assert [r["status"] for r in results] == ["skipped", "created", "created"]
    assert results[0]["reason"].startswith("already invited to cafe/meal")
    assert results[2]["locale"] == "fr" and results[2]["warnings"]


def test_an_invalid_batch_creates_nothing(api, db):
    response = api(
        "post",
        "/invitations",
        json={
            "invitations": [
                {"journey": "cafe", "moment": "meal", "customer": "C-1"},
                {"journey": "cafe", "moment": "dessert", "customer": "C-2"},
                {"journey": "cafe", "moment": "meal", "customer": "C-3", "email": "nope"},
                {"journey": "cafe", "moment": "meal", "customer": "", "colour": "red"},
            ]
        },
    )
    assert response.status_code == 422
    paths = [d["path"] for d in error_of(response)["errors"]]
    assert paths == [
        "invitations[1].moment",
        "invitations[2].email",
        "invitations[3].colour",
        "invitations[3].customer",
    ]
    assert sql(db, "SELECT COUNT(*) FROM invitations").fetchone()[0] == 0
    too_many = api(
        "post",
        "/invitations",
        json={
            "invitations": [
                {"journey": "cafe", "moment": "meal", "customer": f"C-{i}"} for i in range(1001)
            ]
        },
    )
    assert too_many.status_code == 422


def test_a_retried_request_with_an_idempotency_key_creates_nothing_new(api, db):
    body = {
        "invitations": [
            {"journey": "cafe", "moment": "bill", "customer": f"C-{i}"} for i in range(3)
        ]
    }
    headers = {"Idempotency-Key": "order-1042"}
    first = api("post", "/invitations", json=body, headers=dict(headers))
    again = api("post", "/invitations", json=body, headers=dict(headers))
    assert again.status_code == first.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert sql(db, "SELECT COUNT(*) FROM invitations").fetchone()[0] == 3
    other = api(
        "post",
        "/invitations",
        json={"journey": "cafe", "moment": "bill", "customer": "C-9"},
        headers=dict(headers),
    )
    assert error_of(other)["code"] == "idempotency_key_reused"


def answer_once(app, token, experience="negative"):
    from tests.helpers import get_then_post

    answers = {"experience": experience, "why": "froid"}
    return get_then_post(app.test_client(), f"/s/{token}", answers)


def test_scores_and_responses_with_cursor_pages(api, app):
    tokens = [
        api(
            "post", "/invitations", json={"journey": "cafe", "moment": "meal", "customer": f"C-{i}"}
        ).get_json()["token"]
        for i in range(5)
    ]
    for i, token in enumerate(tokens):
        answer_once(app, token, "negative" if i < 2 else "positive")
    meal = next(
        m for m in api("get", "/journeys/cafe/scores").get_json()["moments"] if m["id"] == "meal"
    )
    assert (meal["responses"], meal["negative"], meal["net_score"]) == (5, 2, 20.0)
    seen, cursor = [], None
    while True:
        page = api(
            "get",
            "/responses",
            query_string={"journey": "cafe", "limit": 2, **({"cursor": cursor} if cursor else {})},
        ).get_json()
        seen += page["responses"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 5 and len({r["id"] for r in seen}) == 5
    assert seen[0]["customer"] == "C-0" and seen[0]["answers"]["why"] == "froid"


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/responses?cursor=not-a-cursor", "invalid_cursor"),
        ("/responses?limit=0", "invalid_parameter"),
        ("/journeys/cafe/scores?since=yesterday", "invalid_parameter"),
        ("/journeys/nope", "not_found"),
        ("/nowhere", "not_found"),
    ],
)
def test_bad_calls_get_a_json_error(api, path, code):
    response = api("get", path)
    assert 400 <= response.status_code < 500
    assert error_of(response)["code"] == code


def test_a_body_over_1_mb_gets_413(api):
    response = api(
        "post", "/invitations", data="x" * (1024 * 1024 + 1), content_type="application/json"
    )
    assert response.status_code == 413
    assert error_of(response)["code"] == "request_entity_too_large"


def test_a_key_over_its_rate_gets_429_with_retry_after(instance, loaded, key):
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "API_RATE_PER_SECOND": 1, "API_BURST": 3})
    client = app.test_client()
    statuses = [
        client.get("/api/v1/journeys", headers={"Authorization": f"Bearer {key}"}) for _ in range(4)
    ]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429]
    assert int(statuses[-1].headers["Retry-After"]) >= 1
    assert error_of(statuses[-1])["code"] == "rate_limited"


def test_the_openapi_document_describes_every_endpoint(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    rules = {
        str(r) for r in client.application.url_map.iter_rules() if str(r).startswith("/api/v1")
    } - {"/api/v1/docs"}  # the page that draws this document, for people
    described = {
        "/api/v1"
        + p.replace("{journey_id}", "<journey_id>")
        .replace("{followup_id}", "<int:followup_id>")
        .replace("{moment_id}", "<moment_id>")
        for p in document["paths"]
    }
    assert rules == described
    assert json.dumps(document)


def test_invitations_can_be_sent_at_once_and_say_whether_they_were(
    instance, loaded, key, smtp_server
):
    smtp_server.refuse.add("gone@example.ro")
    app = create_app({"TESTING": True, "SECRET_KEY": "k"})  # reads the SMTP settings
    response = app.test_client().post(
        "/api/v1/invitations",
        headers={"Authorization": f"Bearer {key}"},
        json={
            "invitations": [
                {
                    "journey": "cafe",
                    "moment": "meal",
                    "customer": "C-1",
                    "send": True,
                    "email": "ana@example.ro",
                    "locale": "ro",
                },
                {
                    "journey": "cafe",
                    "moment": "meal",
                    "customer": "C-2",
                    "send": True,
                    "email": "gone@example.ro",
                },
                {"journey": "cafe", "moment": "meal", "customer": "C-3", "send": True},
            ]
        },
    )
    results = response.get_json()["results"]
    assert [r["sent"] for r in results] == [True, False, False]
    (message,) = smtp_server.to("ana@example.ro")
    assert message["Subject"] == "Café des Arts vă întreabă: cum a fost „Masa dumneavoastră”?"


def test_the_documented_invitation_body_is_the_one_checked(api, client):
    document = client.get("/api/v1/openapi.json").get_json()
    body = document["paths"]["/invitations"]["post"]["requestBody"]["content"]
    one, batch = body["application/json"]["schema"]["oneOf"]
    assert set(one["properties"]) == {"journey", "moment", "customer", "email", "locale", "send"}
    assert one["additionalProperties"] is False and one["properties"]["send"]["type"] == "boolean"
    assert batch["properties"]["invitations"]["maxItems"] == 1000
    # What the document says is what is refused: 1 is not a boolean, an extra field is none.
    sent = {"journey": "cafe", "moment": "meal", "customer": "C-1", "send": 1, "vip": True}
    response = api("post", "/invitations", json=sent)
    assert response.status_code == 422
    assert [p["path"] for p in error_of(response)["errors"]] == ["body.send", "body.vip"]


def test_the_documented_query_parameters_are_the_ones_checked(api, client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/journeys/{journey_id}/followups"]["get"]
    documented = {p["name"]: p["schema"] for p in operation["parameters"] if p["in"] == "query"}
    assert documented["limit"]["maximum"] == 100 and documented["q"]["maxLength"] == 200
    assert "overdue" in documented["age"]["enum"]
    # What the document says is what is refused, every parameter at once; a misspelt
    # filter is named instead of silently ignored, an empty value is no filter.
    response = api("get", "/journeys/cafe/followups?limit=101&age=ancient&stauts=open&q=")
    assert response.status_code == 422
    problems = error_of(response)["errors"]
    assert [p["path"] for p in problems] == ["age", "limit", "stauts"]
    assert {p["reason"] for p in problems} >= {"unknown field"}
    scores = api("get", "/journeys/cafe/scores?since=2026-13-01&locale=de&until=")
    assert [p["path"] for p in error_of(scores)["errors"]] == ["locale", "since"]
    assert api("get", "/responses?limit=%C2%B2").status_code == 422  # "²" is no number
    assert api("get", "/journeys/cafe/scores?since=&until=&locale=").status_code == 200
