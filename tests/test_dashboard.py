"""The dashboard's figures, computed without Flask on a real database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from surveyapp import storage
from surveyapp.domain import statistics
from surveyapp.jobs import dashboard, exports
from tests.helpers import answers_living, record_scored


def test_wilson_interval_matches_known_values():
    low, high = statistics.wilson(0, 10)
    assert low == 0.0 and high == pytest.approx(0.2775, abs=1e-4)
    low, high = statistics.wilson(50, 100)
    assert (low, high) == (pytest.approx(0.4038, abs=1e-4), pytest.approx(0.5962, abs=1e-4))
    assert statistics.wilson(0, 0) is None


def add(db, journey, moment_id, polarity, *, when=None, locale="fr", comment=None):
    """One response that lives ``moment_id`` as ``polarity``."""
    answers = answers_living(journey, moment_id, polarity)
    record_scored(db, journey, moment_id, answers, when=when, locale=locale, comment=comment)


def test_moments_of_pain_rank_only_moments_with_enough_responses(db, loaded):
    cafe = loaded["cafe"]
    for i in range(30):
        add(db, cafe, "meal", "negative" if i < 6 else "positive")
        add(db, cafe, "bill", "negative" if i < 12 else "neutral")
    for _ in range(5):
        add(db, cafe, "waiting", "negative")  # all pain, but too few to rank
    board = dashboard.build(db, cafe, dashboard.Filters(), name_locale="fr")
    assert [r.score.id for r in board.pain] == ["bill", "meal"]
    bill = next(r for r in board.rows if r.score.id == "bill")
    assert bill.negative.share == pytest.approx(0.4)
    assert bill.negative.low < 0.4 < bill.negative.high
    waiting = next(r for r in board.rows if r.score.id == "waiting")
    assert (waiting.enough, waiting.open_followups) == (False, 5)


def test_weekly_trend_groups_days_by_week_starting_monday(db, loaded):
    cafe = loaded["cafe"]
    for day, polarity in ((2, "positive"), (8, "negative"), (9, "positive"), (16, "positive")):
        add(db, cafe, "meal", polarity, when=datetime(2026, 11, day, 12, tzinfo=UTC))
    board = dashboard.build(db, cafe, dashboard.Filters(), name_locale="fr")
    meal = next(r for r in board.rows if r.score.id == "meal")
    weeks = {w["week"]: (w["responses"], w["negative"]) for w in meal.weeks}
    # 2026-11-08 is a Sunday: it belongs to the week of Monday 2026-11-02.
    assert weeks == {"2026-11-02": (2, 1), "2026-11-09": (1, 0), "2026-11-16": (1, 0)}


def test_filters_narrow_the_dashboard(db, loaded):
    cafe = loaded["cafe"]
    add(db, cafe, "meal", "negative", locale="ro", when=datetime(2026, 11, 3, tzinfo=UTC))
    add(db, cafe, "meal", "positive", locale="fr", when=datetime(2026, 11, 20, tzinfo=UTC))
    only_ro = dashboard.build(db, cafe, dashboard.Filters(locale="ro"), name_locale="ro")
    meal = next(r for r in only_ro.rows if r.score.id == "meal")
    assert (meal.score.responses, meal.score.negative, meal.score.name) == (
        1,
        1,
        "Masa dumneavoastră",
    )
    late = dashboard.build(db, cafe, dashboard.Filters(since=date(2026, 11, 10)), "fr")
    assert next(r for r in late.rows if r.score.id == "meal").score.positive == 1


def test_comments_are_listed_newest_first_and_searched_literally(db, loaded):
    cafe = loaded["cafe"]
    add(
        db,
        cafe,
        "meal",
        "negative",
        comment="Soupe froide 100%",
        when=datetime(2026, 11, 1, tzinfo=UTC),
    )
    add(db, cafe, "meal", "positive", comment="Parfait", when=datetime(2026, 11, 2, tzinfo=UTC))
    add(
        db,
        cafe,
        "meal",
        "negative",
        comment="Froid_et lent",
        when=datetime(2026, 11, 3, tzinfo=UTC),
    )
    assert [c["comment"] for c in storage.comments(db, "cafe", "meal")] == [
        "Froid_et lent",
        "Parfait",
        "Soupe froide 100%",
    ]
    assert [
        c["comment"]
        for c in storage.comments(db, "cafe", "meal", polarity="negative", search="froid")
    ] == ["Froid_et lent", "Soupe froide 100%"]
    assert [c["comment"] for c in storage.comments(db, "cafe", "meal", search="0%")] == [
        "Soupe froide 100%"
    ]
    assert storage.comments(db, "cafe", "meal", search="oi%e") == []  # % is not a wildcard


def test_a_negative_response_opens_a_followup_that_can_be_resolved(db, loaded):
    add(db, loaded["cafe"], "bill", "negative")
    (item,) = storage.followups(db, "cafe")
    assert item["status"] == "open" and item["answers"] == {"experience": "negative"}
    storage.update_followup(db, item["response_id"], status="resolved", note="Rappelé", by="maria")
    assert storage.open_followups(db, "cafe") == {}
    assert storage.followups(db, "cafe", status="resolved")[0]["note"] == "Rappelé"


@pytest.mark.parametrize("cell", ["=1+1", "+33 6", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_cells_are_neutralized_in_csv(cell):
    import csv
    import io

    text = "".join(exports.csv_stream(["a"], [[cell]]))
    assert text.startswith("\ufeffa\r\n")
    (row,) = list(csv.reader(io.StringIO(text[len("\ufeffa\r\n") :], newline="")))
    assert row == ["'" + cell]
    assert exports.safe_cell(-3) == -3 and exports.safe_cell("Café") == "Café"


def test_open_counts_follow_every_change_of_a_followup(db, loaded):
    cafe = loaded["cafe"]
    add(db, cafe, "bill", "negative")
    add(db, cafe, "bill", "negative")
    first, second = storage.followups(db, "cafe")
    assert storage.open_followups(db, "cafe") == {"bill": 2}
    storage.update_followup(db, first["response_id"], status="contacted", note=None, by="m")
    assert storage.open_followups(db, "cafe") == {"bill": 2}
    storage.update_followup(db, first["response_id"], status="resolved", note="ok", by="m")
    assert storage.open_followups(db, "cafe") == {"bill": 1}
    storage.update_followup(db, first["response_id"], status="open", note="again", by="m")
    assert storage.open_followups(db, "cafe") == {"bill": 2}
    # A one-click "negative" that the customer then completes as "neutral".
    response = {
        "id": second["response_id"],
        "journey_id": "cafe",
        "moment_id": "bill",
        "day": storage.utcnow().date().isoformat(),
        "locale": "fr",
        "channel": "link",
    }
    storage.complete_response(
        db,
        response,
        polarity="neutral",
        answers={"experience": "neutral"},
        old_increments={"responses": 1, "negative": 1},
        increments={"responses": 1, "neutral": 1},
    )
    assert storage.open_followups(db, "cafe") == {"bill": 1}
    assert len(storage.followups(db, "cafe")) == 1
    assert not storage.update_followup(db, 999, status="resolved", note=None, by="m")
