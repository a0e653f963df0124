"""Fuzzing reaches further (hypothesis): the API and the admin forms, with large and nested
structures. Never a 500; nothing stored for what is refused."""

from __future__ import annotations

import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from surveyapp import create_app
from surveyapp.services import accounts, apikeys
from tests.helpers import admin_log_in, csrf_token, get_then_post, sql

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
texts = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["cafe", "meal", "C-1", "ro", "fr", "a@b.ro", "=1+1", "\x00", "x" * 5000]),
)
# Large and nested: deep lists and objects, long strings, huge and odd numbers.
values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**30), max_value=10**30),
        st.floats(allow_nan=False, allow_infinity=False),
        texts,
    ),
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(texts, inner, max_size=6),
    max_leaves=40,
)
invitation_like = st.fixed_dictionaries(
    {},
    optional={
        "journey": values | st.just("cafe"),
        "moment": values | st.just("meal"),
        "customer": values | texts,
        "email": values | texts,
        "locale": values | st.sampled_from(["fr", "ro", "en"]),
        "send": values,
        "extra": values,
    },
)
bodies = st.one_of(
    values,
    invitation_like,
    st.fixed_dictionaries({"invitations": st.lists(invitation_like, max_size=30) | values}),
)


def counts(db) -> tuple[int, ...]:
    return tuple(
        sql(db, f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        for table in ("invitations", "responses", "journeys", "moments", "followups")
    )


def test_the_api_answers_any_json_with_a_4xx_or_a_result_never_a_500(instance, db, loaded):
    # The per-key rate limit would answer 429 to a fast fuzzer, as it should.
    app = create_app({"TESTING": True, "SECRET_KEY": "fuzz", "API_RATE_PER_SECOND": 0})
    client = app.test_client()
    auth = {"Authorization": f"Bearer {apikeys.create(db, 'fuzz')}"}

    @FUZZ
    @given(body=bodies, path=st.sampled_from(["/api/v1/invitations", "/api/v1/journeys"]))
    def post(body, path):
        before = counts(db)
        response = client.post(
            path, data=json.dumps(body), headers=auth, content_type=("application/json")
        )
        assert response.status_code in (200, 201, 400, 413, 415, 422), response.status_code
        assert "code" in response.get_json() or response.status_code in (200, 201)
        if response.status_code >= 400:
            assert counts(db) == before

    @FUZZ
    @given(
        query=st.dictionaries(
            st.sampled_from(["journey", "since", "until", "limit", "cursor", "locale", "x"]),
            texts,
            max_size=5,
        )
    )
    def read(query):
        for path in ("/api/v1/responses", "/api/v1/journeys/cafe/scores", "/api/v1/journeys"):
            response = client.get(path, query_string=query, headers=auth)
            assert response.status_code in (200, 400, 404, 422), (path, response.status_code)

    post()
    read()


def test_the_admin_forms_answer_anything_with_a_page_never_a_500(instance, db, loaded):
    app = create_app({"TESTING": True, "SECRET_KEY": "fuzz"})
    accounts.create(db, "maria", "correct horse battery", "admin")
    manager, visitor = app.test_client(), app.test_client()
    # Failed logins slow down per client address: the fuzzed logins come from another one.
    manager.environ_base["REMOTE_ADDR"], visitor.environ_base["REMOTE_ADDR"] = (
        "192.0.2.1",
        "192.0.2.2",
    )
    admin_log_in(manager, "maria", "correct horse battery")
    get_then_post(app.test_client(), "/j/cafe/meal", {"experience": "negative"})  # one pain
    item = sql(db, "SELECT response_id FROM followups").fetchone()[0]
    inbox = "/admin/j/cafe/followups"
    fields = st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "status",
                    "note",
                    "item",
                    "action",
                    "owner",
                    "hours",
                    "revision",
                    "assign_me",
                    "csrf_token",
                    "username",
                    "password",
                    "definition",
                    "",
                ]
            ),
            texts,
        ),
        max_size=10,
    )

    @FUZZ
    @given(
        pairs=fields,
        with_token=st.booleans(),
        path=st.sampled_from(
            [
                f"{inbox}/bulk",
                f"{inbox}/target",
                f"{inbox}/{item}",
                "/admin/login",
                "/admin/",
                "/admin/logout",
            ]
        ),
        upload=st.binary(max_size=2000) | st.text(max_size=500).map(str.encode),
    )
    def post(pairs, with_token, path, upload):
        before = counts(db)
        client = visitor if path == "/admin/login" else manager
        data = MultiDict(pairs)
        if with_token:
            page = client.get("/admin/login" if client is visitor else inbox)
            data["csrf_token"] = csrf_token(page.get_data(as_text=True))
        if path == "/admin/":
            data["definition"] = (io.BytesIO(upload), "journey.yaml")
        response = client.post(path, data=data)
        assert response.status_code in (200, 302, 303, 400, 404, 409, 413, 422, 429), (
            path,
            response.status_code,
        )
        if response.status_code >= 400 or path != "/admin/":
            assert counts(db)[:4] == before[:4]  # only an upload may change journeys
        if path == "/admin/logout" and response.status_code == 303:
            assert admin_log_in(manager, "maria", "correct horse battery").status_code == 303

    post()


def test_digits_other_than_0_to_9_are_not_numbers(instance, db, loaded):
    # Found by the property above: "¹".isdigit() is true, and int("¹") fails (a 500).
    app = create_app({"TESTING": True, "SECRET_KEY": "fuzz"})
    auth = {"Authorization": f"Bearer {apikeys.create(db, 'crm')}"}
    client = app.test_client()
    assert client.get("/api/v1/responses?limit=¹", headers=auth).status_code == 422
    accounts.create(db, "maria", "correct horse battery", "admin")
    admin_log_in(client, "maria", "correct horse battery")
    assert client.get("/admin/j/cafe/m/meal/comments?page=²").status_code == 200
