"""Parser bombs and deep nesting: refused with a clear message, quickly and in little
memory, wherever a definition or a JSON body comes in (CLI, admin upload, API)."""

from __future__ import annotations

import io
import re
import subprocess
import sys

import pytest

from surveyapp.domain.definitions import parse_definition
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
