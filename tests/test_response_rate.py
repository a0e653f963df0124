"""The response rate (invitations made, sent, opened, answered, reached, with Wilson
intervals) and the dashboard's headline tiles against the period before."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from surveyapp import storage
from surveyapp.domain import statistics
from surveyapp.services import accounts, apikeys, dashboard, headlines
from surveyapp.storage import schema
from tests.helpers import admin_log_in, answers_living, make_invitation, record_scored

PASSWORD = "correct horse battery"


def invited(db, journey, count, *, sent=0, opened=0, answered=0):
    """``count`` invitations to the meal: the first ``sent`` sent, ``opened`` of them
    opened by a person and ``answered`` answered (through the real answer path)."""
    tokens = [make_invitation(db, journey, "meal", f"C-{n}", "fr") for n in range(count)]
    for token in tokens[:sent]:
        storage.invitations.mark_sent(db, token)
    for token in tokens[:opened]:
        storage.invitations.mark_opened(db, storage.invitations.get_invitation(db, token)["id"])
    for token in tokens[:answered]:
        invitation = storage.invitations.get_invitation(db, token)
        answers = answers_living(journey, "meal", "positive")
        record_scored(db, journey, "meal", answers, invitation_id=invitation["id"])
    return tokens


def test_the_funnel_counts_each_step_and_an_answer_counts_as_opened(db, loaded):
    invited(db, loaded["cafe"], 40, sent=30, opened=12, answered=10)
    (meal,) = [
        s
        for s in dashboard.build(db, loaded["cafe"], dashboard.Filters(), "fr").rows
        if s.score.id == "meal"
    ]
    figures = meal.score.invitations
    assert {k: figures[k] for k in ("invited", "sent", "opened", "answered")} == {
        "invited": 40,
        "sent": 30,
        "opened": 12,
        "answered": 10,
    }
    low, high = statistics.wilson(10, 40)
    assert figures["response_rate_pct"] == 25.0
    assert figures["response_rate_low_pct"] == round(100 * low, 1)
    assert figures["response_rate_high_pct"] == round(100 * high, 1)


def emailed(db, journey, count, *, sent=0, answered_unsent=0):
    """``count`` invitations with an email: the first ``sent`` sent, one of those answered,
    and ``answered_unsent`` of the others answered through a link shared some other way
    before their email went."""
    tokens = [
        make_invitation(db, journey, "meal", f"E-{n}", "fr", email=f"e{n}@example.com")
        for n in range(count)
    ]
    for token in tokens[:sent]:
        storage.invitations.mark_sent(db, token)
    for token in tokens[:1] + tokens[sent : sent + answered_unsent]:
        invitation = storage.invitations.get_invitation(db, token)
        answers = answers_living(journey, "meal", "positive")
        record_scored(db, journey, "meal", answers, invitation_id=invitation["id"])
    return tokens


def meal_figures(db, journey):
    rows = dashboard.build(db, journey, dashboard.Filters(), "fr").rows
    return next(r.score.invitations for r in rows if r.score.id == "meal")


def test_links_waiting_for_their_email_are_left_out_of_the_response_rate(db, loaded):
    tokens = emailed(db, loaded["cafe"], 10, sent=4, answered_unsent=1)
    figures = meal_figures(db, loaded["cafe"])
    # 4 sent and 1 answered before its email went reached their customer; 5 wait.
    assert (figures["invited"], figures["reached"], figures["answered"]) == (10, 5, 2)
    assert figures["response_rate_pct"] == 40.0
    # Sending one that was answered meanwhile does not count it twice.
    storage.invitations.mark_sent(db, tokens[4])
    assert meal_figures(db, loaded["cafe"])["reached"] == 5
    storage.invitations.mark_sent(db, tokens[5])
    assert meal_figures(db, loaded["cafe"])["reached"] == 6


def test_invitations_not_sent_yet_have_no_response_rate_and_the_page_says_why(app, db, loaded):
    emailed(db, loaded["cafe"], 3)  # the first is answered through its shared link
    storage.invitations.mark_sent(
        db, make_invitation(db, loaded["cafe"], "meal", "Z", "fr", "z@x.fr")
    )
    accounts.create(db, "maria", PASSWORD, "admin")
    client = app.test_client()
    admin_log_in(client, "maria", PASSWORD, "fr")
    page = re.sub(r"\s+", " ", client.get("/admin/j/cafe").get_data(as_text=True))
    assert "taux de réponse 50,0 %" in page
    assert "2 liens pas encore envoyés" in page
    fresh = re.sub(r"\s+", " ", client.get("/admin/j/saas").get_data(as_text=True))
    assert "0,0 %" not in fresh


def test_the_migration_counts_what_reached_its_customer_as_the_steps_would(db, loaded):
    invited(db, loaded["cafe"], 6, answered=2)
    emailed(db, loaded["cafe"], 10, sent=4, answered_unsent=1)
    before = meal_figures(db, loaded["cafe"])["reached"]
    assert before == 11
    # Back to revision 0014 by the migrations' own downgrades, then forward again.
    config = Config()
    config.set_main_option("script_location", str(schema.MIGRATIONS))
    config.attributes["connection"] = db
    with storage.transaction(db):
        command.downgrade(config, "0014")
    assert "reached" not in {c["name"] for c in sa.inspect(db).get_columns("invitation_tallies")}
    assert schema.upgrade(db) is True
    assert meal_figures(db, loaded["cafe"])["reached"] == before


def test_scores_give_the_response_rate_in_the_cli_and_the_api(db, loaded, run_cli, app):
    invited(db, loaded["cafe"], 8, sent=8, answered=2)
    data = json.loads(run_cli("scores", "cafe", "--format", "json").output)
    assert data["invitations"]["invited"] == 8 and data["invitations"]["response_rate_pct"] == 25.0
    meal = next(m for m in data["moments"] if m["id"] == "meal")
    assert (meal["invited"], meal["answered"]) == (8, 2)
    table = run_cli("scores", "cafe").output
    assert (
        "invitations: 8 made, 8 sent, 2 opened, 2 answered, 8 reached; response rate 25.0%" in table
    )
    csv_out = run_cli("scores", "cafe", "--format", "csv").output.splitlines()
    assert csv_out[0].endswith("response_rate_pct,response_rate_low_pct,response_rate_high_pct")
    key = apikeys.create(db, "crm")
    api = app.test_client().get(
        "/api/v1/journeys/cafe/scores", headers={"Authorization": f"Bearer {key}"}
    )
    assert api.json["invitations"] == data["invitations"]


def test_the_dashboard_shows_rates_and_tiles_in_french(app, db, loaded):
    invited(db, loaded["cafe"], 20, sent=20, opened=10, answered=5)
    accounts.create(db, "maria", PASSWORD, "admin")
    client = app.test_client()
    admin_log_in(client, "maria", PASSWORD, "fr")
    page = re.sub(r"\s+", " ", client.get("/admin/j/cafe").get_data(as_text=True))
    assert "Invitations et taux de réponse" in page
    assert "20 invitations personnelles créées sur la période" in page
    assert "taux de réponse 25,0 %" in page
    assert "En un coup d’œil" in page and "Taux de réponse" in page
    assert 'href="/admin/j/cafe/m/meal/invitations"' in page


def add(db, journey, polarity, day):
    answers = answers_living(journey, "review", polarity)
    record_scored(
        db, journey, "review", answers, when=datetime.combine(day, datetime.min.time(), UTC)
    )


def tiles(db, journey, since, until):
    """The café's headline tiles over ``since``–``until``, seen on 2026-12-30."""
    return headlines.headlines(
        db,
        journey,
        since=since,
        until=until,
        locale=None,
        channel=None,
        today=date(2026, 12, 30),
        asks_nps=True,  # its review asks the NPS question
        open_pains=0,
    )


def test_a_tile_calls_a_change_only_when_its_interval_leaves_no_doubt(db, loaded):
    cafe = loaded["cafe"]
    for n in range(60):  # November: mostly detractors; then December: mostly promoters
        add(db, cafe, "negative" if n < 45 else "positive", date(2026, 11, 1 + n % 30))
        add(db, cafe, "positive" if n < 45 else "negative", date(2026, 12, 1 + n % 30))
    board = tiles(db, cafe, date(2026, 12, 1), date(2026, 12, 30))
    assert (board.previous_start, board.previous_end) == (date(2026, 11, 1), date(2026, 11, 30))
    nps, rate, pain = board.tiles
    assert nps.code == "nps" and nps.verdict == "better"
    assert nps.current.low < nps.current.value < nps.current.high
    assert pain.verdict == "better" and pain.change.value < 0
    assert rate.verdict is None  # no invitations: no figure, no verdict
    few = tiles(db, cafe, date(2026, 12, 1), date(2026, 12, 1))
    assert few.tiles[0].verdict in ("unclear", None)  # two answers a day decide nothing


def test_without_dates_the_tiles_take_the_last_30_days():
    assert headlines.periods(None, None, date(2026, 12, 30)) == (
        date(2026, 12, 1),
        date(2026, 12, 30),
        date(2026, 11, 1),
        date(2026, 11, 30),
    )
