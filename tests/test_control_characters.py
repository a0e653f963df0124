"""Line breaks, NUL and other control characters never reach a mail header or a file: they
are refused where text comes in, and one message that cannot be made never stops a batch."""

from __future__ import annotations

import json

import pytest

from surveyapp import storage
from surveyapp.domain.definitions import parse_definition
from surveyapp.domain.problems import DefinitionError
from surveyapp.services import accounts, apikeys
from tests.helpers import make_invitation, sql

HOSTILE = ["Café\r\nBcc: all@example.com", "Café\x00", "Ca\tfé", "Café\u2028des Arts", "\x1b[31m"]
BASE = {
    "id": "shop",
    "brand": "Shop",
    "default_locale": "fr",
    "locales": ["fr", "ro"],
    "moments": [{"id": "visit", "kind": "fmot", "name": {"fr": "Visite", "ro": "Vizita"}}],
}


def problems_of(definition) -> list[str]:
    with pytest.raises(DefinitionError) as refused:
        parse_definition(json.dumps(definition), "json")
    return [str(p) for p in refused.value.problems]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_brand_or_a_moment_name_with_a_control_character_is_refused(text):
    control = "must not contain line breaks, tabs or other control characters"
    assert problems_of({**BASE, "brand": text}) == [f"brand: {control}"]
    moment = {**BASE["moments"][0], "name": {"fr": text, "ro": "Vizita"}}
    assert problems_of({**BASE, "moments": [moment]}) == [f"moments[0].name.fr: {control}"]
    moment = {**BASE["moments"][0], "name": text}
    assert problems_of({**BASE, "moments": [moment]}) == [f"moments[0].name: {control}"]


def test_the_refusal_is_explained_in_the_managers_language():
    with pytest.raises(DefinitionError) as refused:
        parse_definition(json.dumps({**BASE, "brand": "A\nB"}), "json")
    (problem,) = refused.value.problems
    assert problem.text("fr") == (
        "brand\u202f: ne doit contenir ni saut de ligne, ni tabulation, ni autre caractère de "
        "contrôle"
    )
    assert "sfârșituri de rând" in problem.text("ro")


@pytest.mark.parametrize("customer", HOSTILE)
def test_a_customer_reference_with_a_control_character_is_refused_everywhere(
    customer, run_cli, loaded, db, tmp_path, app
):
    cli = run_cli("invite", "cafe", "meal", "--customer", customer)
    assert cli.exit_code == 1 and "control character" in cli.output
    rows = tmp_path / "customers.csv"
    rows.write_text(f'customer,email,locale\nC-1,,fr\n"{customer}",,fr\n', encoding="utf-8")
    refused = run_cli("invite", "cafe", "meal", "--csv", rows)
    assert refused.exit_code == 1 and "control character" in refused.output
    key = apikeys.create(db, "crm")
    response = app.test_client().post(
        "/api/v1/invitations",
        json={"journey": "cafe", "moment": "meal", "customer": customer},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 422 and "control character" in response.get_data(as_text=True)
    assert sql(db, "SELECT COUNT(*) FROM invitations").fetchone()[0] == 0


@pytest.mark.parametrize("address", ["ana\x00@example.ro", "ana\r\n@example.ro", "a\x7f@b.ro"])
def test_an_email_address_with_a_control_character_is_refused(address, run_cli, loaded):
    result = run_cli("invite", "cafe", "meal", "--customer", "C-1", "--email", address)
    assert result.exit_code == 1 and "” is not valid" in result.output


@pytest.mark.parametrize("name", ["maria\x00", "ma\x1bria", "ma\u2028ria"])
def test_an_account_name_with_a_control_character_is_refused(name, db):
    with pytest.raises(accounts.AccountError, match="control characters"):
        accounts.create(db, name, "correct horse battery")


def test_one_message_that_cannot_be_made_never_stops_the_batch(run_cli, db, loaded, smtp_server):
    # A definition stored before this check existed, with a line break in its brand.
    sql(
        db,
        "UPDATE journeys SET definition = replace(definition, 'Café des Arts', ?), "
        "digest = 'stored-before-the-check' WHERE id = 'cafe'",
        [json.dumps("Café\r\nBcc: all@example.com", ensure_ascii=False)[1:-1]],
    )
    make_invitation(db, loaded["cafe"], customer="C-1", email="c1@example.ro")
    make_invitation(db, loaded["saas-onboarding"], "delivery", "S-1", "fr", "s1@example.fr")
    result = run_cli("send")
    assert result.exit_code == 0
    assert "sent 1, failed 1" in result.output
    assert "not sent to C-1: the message could not be written" in result.output
    assert [m["To"] for m in smtp_server.messages] == ["s1@example.fr"]
    assert "Bcc" not in str(smtp_server.messages[0])
    failed = storage.invitations.get_invitation(db, next(iter(_tokens(db, "C-1"))))
    assert failed["sent_at"] is None and "could not be written" in failed["last_error"]
    assert "sent 0, failed 1" in run_cli("send", "--retry").output  # still reported, not sent


def _tokens(db, customer: str) -> list[str]:
    return [
        t for (t,) in sql(db, "SELECT token FROM invitations WHERE customer_ref = ?", [customer])
    ]


def test_a_nul_in_a_typed_comment_is_dropped_and_the_answer_kept(db, loaded, answer):
    response = answer("/j/cafe/meal?lang=fr", {"experience": "negative", "why": "Fro\x00id"})
    assert response.status_code == 303
    assert storage.comments.comments(db, "cafe", "meal")[0]["comment"] == "Froid"


def test_the_refused_characters_are_exactly_unicodes_controls_and_separators():
    import sys
    import unicodedata

    from surveyapp.domain.text import has_control_characters

    refused = {"Cc", "Zl", "Zp"}
    for code in range(sys.maxunicode + 1):
        c = chr(code)
        assert has_control_characters(f"a{c}b") == (unicodedata.category(c) in refused), hex(code)
