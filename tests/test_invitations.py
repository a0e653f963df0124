"""Invitations in the core: tokens, CSV reading, the contact budget, forgetting."""

from __future__ import annotations

import codecs
from datetime import timedelta

import pytest

from surveyapp import storage
from surveyapp.services import invitation_csv, invitations
from surveyapp.services.invitation_csv import CsvError, Request
from surveyapp.services.invitations import Budget
from tests.helpers import sql

DEFAULT_BUDGET = Budget()


def create(db, journey, moment_id, customers, *, budget=DEFAULT_BUDGET, now=None, locale=None):
    requests = [Request(c, f"{c.lower()}@example.com", locale) for c in customers]
    return invitations.create(
        db,
        journey,
        moment_id,
        requests,
        base_url="https://survey.example.com",
        valid_days=30,
        budget=budget,
        now=now,
    )


def test_tokens_are_unguessable_url_safe_and_keep_links_short():
    tokens = {invitations.new_token() for _ in range(10_000)}
    assert len(tokens) == 10_000
    assert all(len(t) == 22 and t.replace("-", "a").replace("_", "a").isalnum() for t in tokens)
    assert len(invitations.survey_link("https://survey.example.com", tokens.pop())) < 60


def test_a_spreadsheet_csv_with_semicolons_bom_and_crlf_is_read():
    data = codecs.BOM_UTF8 + b"Customer;Email;Locale\r\nC-1;ana@example.ro;ro\r\nC-2;;fr\r\n\r\n"
    requests, problems = invitation_csv.read_csv(data)
    assert problems == []
    assert [(r.customer, r.email, r.locale, r.line) for r in requests] == [
        ("C-1", "ana@example.ro", "ro", 2),
        ("C-2", None, "fr", 3),
    ]


def test_every_bad_row_is_reported_with_its_line():
    data = (
        b"customer,email,locale\nC-1,not-an-email,ro\n,x@y.ro,ro\n"
        b"C-3,ok@example.com,fr,extra\nC-4,,\n"
    )
    requests, problems = invitation_csv.read_csv(data)
    assert [r.customer for r in requests] == ["C-4"]
    assert [str(p) for p in problems] == [
        "line 2: the email address “not-an-email” is not valid",
        "line 3: the customer reference is empty",
        "line 4: more cells than columns",
    ]


def test_an_import_counts_every_bad_row_but_keeps_only_the_first_to_show():
    bad = "".join(f"C-{i},nope{i},fr\n" for i in range(250))
    data = f"customer,email,locale\nA,a@example.com,fr\n{bad}B,,ro\n".encode()
    checked = invitation_csv.check_rows(data, shown=100)
    assert (checked.requests, len(checked.bad_lines), len(checked.problems)) == (2, 250, 100)
    assert str(checked.problems[0]) == "line 3: the email address “nope0” is not valid"
    good = invitation_csv.requests_of(data, checked)
    assert [(r.customer, r.line) for r in good] == [("A", 2), ("B", 253)]
    with pytest.raises(CsvError):
        invitation_csv.check_rows(b"customer,email,locale\n", shown=100)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"PK\x03\x04\x14\x00\x06\x00", "this is an Excel workbook, not a CSV file"),
        (
            b"email,locale\na@b.fr,fr\n",
            "the first line must name the columns: customer, email and locale",
        ),
        (b"customer,email,locale\n", "the file has a header but no customer"),
    ],
)
def test_a_csv_that_cannot_be_read_is_refused_whole(data, message):
    with pytest.raises(CsvError) as caught:
        invitation_csv.read_csv(data)
    assert message in str(caught.value)


def test_one_moment_is_never_asked_twice_within_30_days(db, loaded):
    cafe = loaded["cafe"]
    now = storage.utcnow()
    first = create(db, cafe, "meal", ["C-1"], now=now - timedelta(days=29))
    again = create(db, cafe, "meal", ["C-1", "C-2"], now=now)
    later = create(db, cafe, "meal", ["C-1"], now=now + timedelta(days=2))
    assert first[0].status == "created"
    assert [(o.status, o.reason) for o in again] == [
        ("skipped", "already invited to cafe/meal in the last 30 days"),
        ("created", ""),
    ]
    assert later[0].status == "created"


def test_the_contact_budget_counts_every_journey(db, loaded):
    cafe, saas = loaded["cafe"], loaded["saas-onboarding"]
    budget = Budget(max_per_30_days=3)
    create(db, cafe, "welcome", ["C-1"], budget=budget)
    create(db, saas, "reviews", ["C-1"], budget=budget)
    outcomes = [create(db, cafe, m, ["C-1"], budget=budget)[0] for m in ("meal", "bill")]
    assert [o.status for o in outcomes] == ["created", "skipped"]
    assert outcomes[1].reason == "contact budget reached (3 invitations in 30 days)"
    assert (
        create(db, cafe, "bill", ["C-1"], budget=Budget(max_per_30_days=0))[0].status == "created"
    )


def test_the_same_customer_twice_in_one_batch_is_invited_once(db, loaded):
    outcomes = create(db, loaded["cafe"], "meal", ["C-1", "C-1"])
    assert [o.status for o in outcomes] == ["created", "skipped"]


def test_an_unoffered_locale_falls_back_with_a_warning(db, loaded):
    (outcome,) = create(db, loaded["cafe"], "meal", ["C-1"], locale="en")
    assert outcome.locale == "fr"
    assert [str(w) for w in outcome.warnings] == [
        "the journey cafe is not offered in “en” (only in fr, ro); using “fr”"
    ]


def test_an_opted_out_customer_is_never_invited_again(db, loaded):
    storage.invitations.add_optout(db, invitations.customer_hash("C-9"))
    (outcome,) = create(db, loaded["cafe"], "meal", ["C-9"])
    assert (outcome.status, outcome.reason) == ("skipped", "opted out of surveys")
    assert storage.invitations.get_invitation(db, "x" * 22) is None


def test_forgetting_a_customer_keeps_their_answers_counted(db, loaded):
    cafe = loaded["cafe"]
    (outcome,) = create(db, cafe, "bill", ["C-5"])
    invitation = storage.invitations.get_invitation(db, outcome.token)
    storage.responses.record_response(
        db,
        journey_id="cafe",
        moment_id="bill",
        locale="fr",
        channel="email",
        polarity="negative",
        answers={"experience": "negative"},
        increments={"responses": 1, "negative": 1},
        invitation_id=invitation["id"],
        customer_ref="C-5",
    )
    erased = storage.customer_data.forget(db, ref="C-5", email=None)
    assert (erased["invitations"], erased["responses"]) == (1, 1)
    assert (
        sql(
            db,
            "SELECT COUNT(*) FROM invitations WHERE customer_ref IS NOT NULL OR email IS NOT NULL",
        ).fetchone()[0]
        == 0
    )
    assert sql(db, "SELECT customer_ref FROM responses").fetchall() == [(None,)]
    assert storage.tallies.moment_tallies(db, "cafe")["bill"]["negative"] == 1


def test_an_invitation_is_answered_once_even_when_submits_race(db, loaded):
    (outcome,) = create(db, loaded["cafe"], "bill", ["C-7"])
    invitation = storage.invitations.get_invitation(db, outcome.token)
    args = dict(
        journey_id="cafe",
        moment_id="bill",
        locale="fr",
        channel="email",
        polarity="positive",
        answers={"experience": "positive"},
        increments={"responses": 1, "positive": 1},
        invitation_id=invitation["id"],
    )
    storage.responses.record_response(db, **args)
    with pytest.raises(storage.responses.AlreadyAnswered):
        storage.responses.record_response(db, **args)
    assert storage.responses.count_responses(db) == 1
    assert storage.tallies.moment_tallies(db, "cafe")["bill"]["responses"] == 1
