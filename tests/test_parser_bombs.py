"""Parser bombs and deep nesting: refused with a clear message, quickly and in little
memory, wherever a definition or a JSON body comes in (CLI, admin upload, API)."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyapp.domain.definitions import parse_definition
from surveyapp.domain.json_input import MAX_NESTING, JsonRefused, load_json
from surveyapp.domain.problems import DefinitionError
from surveyapp.services import accounts, apikeys
from tests.helpers import ROOT, admin_log_in

pytestmark = pytest.mark.sqlite_only  # input parsing, refused before any query

# 548 bytes that a YAML loader following aliases expands into 9^9 strings.
BILLION_LAUGHS = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['lol'] * 9)}]\n"
    for prev, name in zip([None, *"abcdefgh"], "abcdefghi", strict=True)
)
DEEP = 10_000
DEEP_YAML = "[" * DEEP + "]" * DEEP
DEEP_JSON = '{"a":' * DEEP + "1" + "}" * DEEP
DEEP_BLOCK = "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "v\n"


def test_a_billion_laughs_is_refused_in_bounded_time_and_memory():
    # In a child with 400 MB of address space and 10 s: before the fix this file took
    # 16 s and half a gigabyte.
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (400 << 20, 400 << 20))\n"
        "from surveyapp.domain.definitions import parse_definition\n"
        "from surveyapp.domain.problems import DefinitionError\n"
        "try:\n"
        "    parse_definition(sys.stdin.read())\n"
        "except DefinitionError as exc:\n"
        "    print(exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        input=BILLION_LAUGHS,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert len(BILLION_LAUGHS.encode()) < 600
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "line 2, column 8: anchors and aliases (& and *) are not allowed"
    )


@pytest.mark.parametrize(
    ("text", "fmt"), [(DEEP_YAML, "yaml"), (DEEP_JSON, "json"), (DEEP_BLOCK, "yaml")]
)
def test_deep_nesting_is_refused_with_a_reason_not_a_recursion_error(text, fmt):
    with pytest.raises(DefinitionError) as refused:
        parse_definition(text, fmt)
    assert "nested more than 32 levels deep" in str(refused.value)


def test_nesting_a_real_definition_needs_is_accepted():
    text = (ROOT / "surveyapp" / "cli" / "demo_journeys" / "cafe.yaml").read_text()
    assert parse_definition(text).id == "cafe"


def test_the_cli_says_why_it_refuses_a_bomb(run_cli, tmp_path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BILLION_LAUGHS)
    result = run_cli("journey", "check", bomb)
    assert result.exit_code == 1
    assert "anchors and aliases (& and *) are not allowed" in result.output


def test_the_admin_upload_refuses_a_bomb_in_the_managers_language(app, db, loaded):
    accounts.create(db, "maria", "correct horse battery", "admin")
    client = app.test_client()
    admin_log_in(client, "maria", "correct horse battery", "fr")
    for content in (BILLION_LAUGHS, DEEP_YAML):
        page = client.get("/admin/").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = client.post(
            "/admin/",
            data={"definition": (io.BytesIO(content.encode()), "b.yaml"), "csrf_token": token},
            content_type="multipart/form-data",
        )
        assert response.status_code == 422
        body = response.get_data(as_text=True)
        assert "ne sont pas autorisés" in body or "imbriqués sur plus de 32 niveaux" in body


def test_the_api_refuses_deep_bodies_with_a_4xx_never_a_500(app, db, loaded):
    key = apikeys.create(db, "crm")
    client = app.test_client()
    auth = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    journey = client.post("/api/v1/journeys", data=DEEP_JSON, headers=auth)
    assert journey.status_code == 422
    assert "nested more than 32 levels" in journey.get_data(as_text=True)
    invitations = client.post("/api/v1/invitations", data="[" * 50_000 + "]" * 50_000, headers=auth)
    assert invitations.status_code == 400
    assert invitations.get_json()["code"] == "invalid_json"
    bomb = client.post(
        "/api/v1/journeys",
        data=BILLION_LAUGHS,
        headers={**auth, "Content-Type": "application/yaml"},
    )
    assert bomb.status_code == 422


def _depth(value) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


_TRICKY = st.sampled_from(['a"b', "[[[", "]}", "\\", '\\"]', "{\n}", "é"])
_NESTED = st.recursive(
    st.one_of(st.integers(), _TRICKY, st.none()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(_TRICKY, inner, max_size=3)
    ),
    max_leaves=60,
)


@settings(max_examples=300, deadline=None)
@given(value=_NESTED, wrap=st.integers(min_value=0, max_value=40))
def test_the_json_depth_limit_is_the_nesting_the_data_has(value, wrap):
    # Brackets and escaped quotes inside strings never count; exactly deeper than 32 is
    # refused, whatever the mix of arrays and objects.
    for _ in range(wrap):
        value = [value] if wrap % 2 else {"k": value}
    text = json.dumps(value, ensure_ascii=False)
    if _depth(value) > MAX_NESTING:
        with pytest.raises(JsonRefused, match="nested more than 32 levels"):
            load_json(text)
    else:
        assert load_json(text) == value


def test_json_that_would_build_too_much_is_refused_before_it_is_parsed(app, db, loaded):
    key = apikeys.create(db, "crm")
    client = app.test_client()
    auth = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    # 1 MB of escaped quotes: the old depth check was quadratic on them (30 s for 100 KB).
    quotes = client.post("/api/v1/invitations", data='"' + '\\"' * 500_000, headers=auth)
    assert quotes.status_code == 400 and quotes.get_json()["code"] == "invalid_json"
    assert "more than 200,000 quotation marks" in quotes.get_json()["detail"]
    lists = client.post("/api/v1/invitations", data="[" + "[]," * 30_000 + "[]]", headers=auth)
    assert "more than 20,000 arrays and objects" in lists.get_json()["detail"]
    # Brackets that do not pair are the parser's to name, with where it stopped.
    broken = client.post("/api/v1/invitations", data='{"invitations": [}', headers=auth)
    assert broken.status_code == 400 and "line 1 column 18" in broken.get_json()["detail"]


def test_a_definition_with_too_many_nodes_is_refused_at_its_line():
    text = "id: x\nmoments:\n" + "- {a: 1}\n" * 20_000
    with pytest.raises(DefinitionError) as caught:
        parse_definition(text)
    (problem,) = caught.value.problems
    assert str(problem).startswith("line 16,668, column 3: it holds more than 50,000 keys")
