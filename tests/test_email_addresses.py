"""Every email address from outside is read by email-validator, one way: in a CSV, the
API, an account, a customer's contact, the digest's recipients. An address that mail
would split into several recipients, or none, is refused with a clear reason."""

from __future__ import annotations

import pytest

from surveyapp.domain.text import is_valid_email
from surveyapp.services import invitation_csv, users

HOSTILE = [
    "postmaster;x@example.org",  # would reach "postmaster"
    "a:b,c;@example.org",  # a group: several recipients, or none
    "ana@example.org, bob@example.org",
    "ana@",
    "ana@localhost",
    "ana@exa mple.org",
    "ana@example.org\r\nBcc: all@example.org",
    "<ana@example.org>",
    "x" * 250 + "@example.org",
]


@pytest.mark.parametrize("address", HOSTILE)
def test_an_address_mail_would_misread_is_refused(address):
    assert not is_valid_email(address)


@pytest.mark.parametrize(
    "address", ["ana@example.ro", "ana.pop+cafe@Exemplu.RO", "élise@exemple.fr", "cx@cafe.example"]
)
def test_ordinary_addresses_are_accepted(address):
    assert is_valid_email(address)


def test_a_csv_row_with_a_semicolon_address_is_reported_on_its_line():
    data = b"customer,email,locale\nC-1,postmaster;x@example.org,fr\nC-2,ana@example.ro,ro\n"
    requests, problems = invitation_csv.read_csv(data)
    assert [r.customer for r in requests] == ["C-2"]
    assert [str(p) for p in problems] == [
        "line 2: the email address “postmaster;x@example.org” is not valid"
    ]


def test_an_api_invitation_to_a_group_address_is_422_and_creates_nothing(api):
    body = {"journey": "cafe", "moment": "bill", "customer": "C-9", "email": "a:b,c;@example.org"}
    response = api("post", "/invitations", json=body)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["path"].endswith("email")
    assert api("get", "/journeys").status_code == 200


def test_an_account_with_a_semicolon_address_is_not_created(db, loaded):
    problems = users.create(
        db,
        username="eve",
        email="postmaster;x@example.org",
        role="viewer",
        journeys=None,
        known_journeys={"cafe"},
        by="maria",
    )
    assert problems == ["The email address is not valid."]


def test_a_digest_recipient_that_is_not_one_address_is_refused_by_the_cli(
    run_cli, loaded, monkeypatch
):
    monkeypatch.setenv("SURVEYAPP_DIGEST_TO", "cx@cafe.example,x:y;@example.org")
    result = run_cli("digest")
    assert result.exit_code == 1
    assert "DIGEST_TO holds 'x:y;@example.org', which is not one email address" in result.output
