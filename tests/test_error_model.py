"""One error model, three faces: a refusal raised anywhere is a page in the reader's
language, an RFC 9457 problem under /api/, or one line on stderr with exit status 1."""

from __future__ import annotations

import pytest

from surveyapp.domain.errors import Conflict, Invalid, NotFound, Problem, Unavailable
from surveyapp.domain.i18n import N_, message


@pytest.fixture
def refusing(app):
    """The app with two routes that refuse, one for pages and one under /api/."""
    refusals = {
        "conflict": Conflict(message(N_("This cannot be done now"))),
        "invalid": Invalid(
            "Nothing was created: fix these first.",
            problems=[Problem("invitations[0].email", "not an email address")],
            code="invalid_invitations",
        ),
        "missing": NotFound("No journey 'x'."),
        "away": Unavailable("The database is unavailable; retry.", retry_after=7),
    }

    def refuse(kind):
        raise refusals[kind]

    app.add_url_rule("/test-refusal/<kind>", "test_refusal", refuse)
    app.add_url_rule("/api/test-refusal/<kind>", "test_api_refusal", refuse)
    return app.test_client()


def test_a_refusal_on_a_page_is_said_in_the_readers_language(refusing):
    page = refusing.get("/test-refusal/conflict", headers={"Accept-Language": "ro"})
    assert page.status_code == 409
    assert "Acest lucru nu se poate face acum" in page.text


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("conflict", 409, "conflict"),
        ("invalid", 422, "invalid_invitations"),
        ("missing", 404, "not_found"),
        ("away", 503, "unavailable"),
    ],
)
def test_a_refusal_under_the_api_is_an_rfc_9457_problem(refusing, kind, status, code):
    response = refusing.get(f"/api/test-refusal/{kind}")
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["type"] == "about:blank" and body["status"] == status and body["code"] == code
    assert body["title"] and body["detail"]
    if kind == "invalid":
        assert body["errors"] == [
            {"path": "invitations[0].email", "reason": "not an email address"}
        ]
    if kind == "away":
        assert response.headers["Retry-After"] == "7"


def test_a_refusal_in_the_cli_is_one_line_and_exit_status_1(run_cli, loaded):
    result = run_cli("survey", "show", "nowhere", "meal")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: No journey 'nowhere'. Known: cafe, saas-onboarding"
    ]


def test_a_refusal_in_plain_english_reads_as_its_status_in_the_readers_language(refusing):
    page = refusing.get("/test-refusal/missing", headers={"Accept-Language": "fr"})
    assert page.status_code == 404
    assert "No journey" not in page.text and "Page introuvable" in page.text


def test_a_setting_that_stops_the_service_is_one_line_from_the_cli(run_cli, monkeypatch):
    # ConfigurationError is an Unavailable like the others: the group says it, no traceback.
    monkeypatch.setenv("SURVEYAPP_TRUSTED_PROXIES", "99")
    monkeypatch.setenv("SURVEYAPP_SECRET_KEY", "k")
    monkeypatch.delenv("SURVEYAPP_DEMO", raising=False)
    result = run_cli("serve", "--port", "1")
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert line.startswith("Error: ") and "TRUSTED_PROXIES" in line
