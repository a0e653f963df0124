"""Hostile input at scale (hypothesis): never a 500, nothing stored for anything invalid."""

from __future__ import annotations

import itertools
import json

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from surveyapp import create_app, storage
from surveyapp.domain.definitions import parse_definition
from surveyapp.domain.journeys import Journey
from surveyapp.domain.problems import DefinitionError
from tests.helpers import DEMO_JOURNEYS, csrf_token, make_invitation, sql

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
KEYS = ["experience", "satisfaction", "why", "recommend", "reason", "csrf_token", "a", ""]
text = st.text(max_size=40)
hostile = st.one_of(
    text,
    st.sampled_from(
        [
            "positive",
            "negative",
            "neutral",
            "5",
            "0",
            "-1",
            "11",
            "1e3",
            "NaN",
            "null",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "%00",
            "\x00",
            "x" * 3000,
            "🙂",
            "=cmd|'/C calc'!A0",
        ]
    ),
)
random_bodies = st.lists(st.tuples(st.one_of(st.sampled_from(KEYS), text), hostile), max_size=8)
# Near-valid bodies, so the property also exercises answers that are stored.
plausible = st.lists(
    st.tuples(
        st.sampled_from(["experience", "satisfaction", "why"]),
        st.one_of(st.sampled_from(["positive", "negative", "3", "9"]), hostile),
    ),
    min_size=1,
    max_size=4,
)
# Valid bodies, in any order: the property must also store answers, and only those.
valid_bodies = st.fixed_dictionaries(
    {"experience": st.sampled_from(["positive", "neutral", "negative"])},
    optional={
        "satisfaction": st.sampled_from([str(n) for n in range(1, 6)]),
        "why": st.text(max_size=200),
    },
).flatmap(lambda answers: st.permutations(list(answers.items())))
bodies = st.one_of(random_bodies, plausible, valid_bodies)


@pytest.fixture
def site(instance, db, loaded):
    app = create_app({"TESTING": True, "SECRET_KEY": "fuzz"})
    token = make_invitation(db, loaded["cafe"])
    return app, token, db


def snapshot(db):
    """What a stored answer would change: row counts and sums of each table."""
    return [
        sql(db, f"SELECT COUNT(*), COALESCE(SUM({total}), 0) FROM {table}").fetchone()
        for table, total in (
            ("responses", "id"),
            ("daily_tallies", "responses + negative + nps_n + csat_n + ces_n"),
            ("followups", "response_id"),
            ("optouts", "LENGTH(customer_hash)"),
        )
    ]


def valid(pairs, keys_asked, choices) -> bool:
    names = [k for k, _ in pairs]
    if len(set(names)) != len(names) or not set(names) <= {*keys_asked, "csrf_token"}:
        return False
    values = dict(pairs)
    # An optional question sent empty is skipped (docs/usage.md, the form contract).
    return values.get("experience") in choices["experience"] and all(
        values[k] in choices.get(k, ()) or (k == "why" and len(values[k]) <= 2000)
        for k in values
        if k != "csrf_token" and not (k != "experience" and values[k] == "")
    )


def test_hostile_form_posts_never_fail_and_store_nothing_invalid(instance, db, loaded):
    app = create_app({"TESTING": True, "SECRET_KEY": "fuzz"})
    stored = []  # the bodies this run stored: the property must reach some
    customers = itertools.count()

    @FUZZ
    @given(pairs=bodies, with_token=st.booleans(), path=st.sampled_from(["public", "invitation"]))
    @example(pairs=[("experience", "positive")], with_token=True, path="public")
    @example(
        pairs=[("experience", "negative"), ("satisfaction", "3"), ("why", "<b>froid</b>")],
        with_token=True,
        path="invitation",
    )
    def post_one(pairs, with_token, path):
        client = app.test_client()
        if path == "public":
            url = "/j/cafe/meal"
        else:  # a fresh single-use link for each example: each one can be answered
            url = f"/s/{make_invitation(db, loaded['cafe'], customer=f'F-{next(customers)}')}"
        page = client.get(url)
        assert page.status_code == 200
        if with_token:
            pairs = [*pairs, ("csrf_token", csrf_token(page.get_data(as_text=True)))]
        before = snapshot(db)
        response = client.post(url, data=MultiDict(pairs))
        assert response.status_code in (303, 400, 413, 422), response.status_code
        choices = {
            "experience": {"positive", "neutral", "negative"},
            "satisfaction": {str(n) for n in range(1, 6)},
        }
        if response.status_code == 303:
            assert valid(pairs, ["experience", "satisfaction", "why"], choices)
            assert snapshot(db)[0][0] == before[0][0] + 1
            stored.append((path, pairs))
        else:
            assert snapshot(db) == before

    post_one()
    # A property that never stored anything would prove little about "stored only when
    # valid"; the explicit examples alone store one answer on each kind of link.
    assert {path for path, _ in stored} == {"public", "invitation"}
    assert len(stored) > 2, "no generated body was valid; the property did not exercise storing"


@FUZZ
@given(
    query=st.lists(st.tuples(text, hostile), max_size=5),
    headers=st.dictionaries(
        st.sampled_from(["Accept-Language", "Cookie", "User-Agent", "X-Forwarded-For", "Referer"]),
        st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60),
    ),
    path=st.sampled_from(
        [
            "/",
            "/j/cafe/meal",
            "/j/cafe/meal/thanks",
            "/admin/login",
            "/admin/j/cafe",
            "/j/saas-onboarding/recommendation",
        ]
    ),
)
def test_hostile_query_strings_and_headers_never_fail(site, query, headers, path):
    app, _, db = site
    before = snapshot(db)
    response = app.test_client().get(path, query_string=query, headers=headers)
    assert response.status_code in (200, 302, 400, 404)
    assert snapshot(db) == before


@FUZZ
@given(token=st.text(max_size=80))
def test_any_token_is_refused_cleanly(site, token):
    app, real, db = site
    if token == real or not token or "/" in token or token in (".", ".."):
        return
    before = snapshot(db)
    client = app.test_client()
    for method in ("get", "post"):
        response = getattr(client, method)(f"/s/{token}", data={"experience": "positive"})
        assert response.status_code in (404, 405, 429, 308), response.status_code
    assert snapshot(db) == before


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), text),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4),
    max_leaves=12,
)


def mutate(base: dict, path: list, value):
    data = json.loads(json.dumps(base))
    target = data
    for key in path[:-1]:
        target = target[key] if isinstance(target, dict) else target[key % len(target)]
    if isinstance(target, dict):
        target[path[-1]] = value
    return data


BASE = yaml.safe_load((DEMO_JOURNEYS / "cafe.yaml").read_text())


@FUZZ
@given(
    field=st.sampled_from(
        [
            ["id"],
            ["brand"],
            ["locales"],
            ["default_locale"],
            ["moments"],
            ["moments", 0, "kind"],
            ["moments", 1, "name"],
            ["moments", 2, "questions"],
            ["moments", 3, "channel"],
            ["extra"],
        ]
    ),
    value=json_values,
)
def test_a_mutated_definition_is_accepted_or_refused_with_reasons(field, value):
    data = mutate(BASE, field, value)
    try:
        journey = parse_definition(json.dumps(data), "json")
    except DefinitionError as exc:
        assert exc.problems and all(str(p) for p in exc.problems)
    else:
        assert isinstance(journey, Journey) and 1 <= len(journey.moments) <= 50


@FUZZ
@given(raw=st.one_of(st.text(max_size=300), st.binary(max_size=300)))
def test_any_file_content_is_accepted_or_refused_with_reasons(raw):
    for fmt in ("yaml", "json"):
        try:
            parse_definition(raw, fmt)
        except DefinitionError as exc:
            assert exc.problems


def test_the_database_is_untouched_by_refused_definitions(db, loaded):
    before = storage.journeys.list_journeys(db)
    with pytest.raises(DefinitionError):
        parse_definition("id: cafe\nmoments: !!python/object:os.system {}\n")
    assert storage.journeys.list_journeys(db) == before
