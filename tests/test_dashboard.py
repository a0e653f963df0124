"""The dashboard's figures, computed without Flask on a real database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from surveyapp import storage
from surveyapp.domain import statistics
from surveyapp.services import dashboard, exports
from tests.helpers import answers_living, followups, record_scored


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


def test_comments_are_listed_newest_first_and_searched_by_the_beginnings_of_words(db, loaded):
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
    assert [c["comment"] for c in storage.comments.comments(db, "cafe", "meal")] == [
        "Froid_et lent",
        "Parfait",
        "Soupe froide 100%",
    ]
    assert [
        c["comment"]
        for c in storage.comments.comments(db, "cafe", "meal", polarity="negative", search="froid")
    ] == ["Froid_et lent", "Soupe froide 100%"]
    assert [c["comment"] for c in storage.comments.comments(db, "cafe", "meal", search="10%")] == [
        "Soupe froide 100%"
    ]
    # % is not a wildcard, and words are found by their beginnings, not their middles
    assert storage.comments.comments(db, "cafe", "meal", search="oi%e") == []
    assert storage.comments.comments(db, "cafe", "meal", search="0") == []


def test_a_negative_response_opens_a_followup_that_can_be_resolved(db, loaded):
    add(db, loaded["cafe"], "bill", "negative")
    (item,) = followups(db, "cafe")
    assert item["status"] == "open" and item["answers"] == {"experience": "negative"}
    storage.followups.update_followup(
        db, item["response_id"], status="resolved", note="Rappelé", by="maria"
    )
    assert storage.followups.open_followups(db, "cafe") == {}
    assert followups(db, "cafe", status="resolved")[0]["note"] == "Rappelé"


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
    first, second = followups(db, "cafe")
    assert storage.followups.open_followups(db, "cafe") == {"bill": 2}
    storage.followups.update_followup(
        db, first["response_id"], status="contacted", note=None, by="m"
    )
    assert storage.followups.open_followups(db, "cafe") == {"bill": 2}
    storage.followups.update_followup(
        db, first["response_id"], status="resolved", note="ok", by="m"
    )
    assert storage.followups.open_followups(db, "cafe") == {"bill": 1}
    storage.followups.update_followup(db, first["response_id"], status="open", note="again", by="m")
    assert storage.followups.open_followups(db, "cafe") == {"bill": 2}
    # A one-click "negative" that the customer then completes as "neutral".
    response = {
        "id": second["response_id"],
        "journey_id": "cafe",
        "moment_id": "bill",
        "day": storage.utcnow().date().isoformat(),
        "locale": "fr",
        "channel": "link",
    }
    storage.responses.complete_response(
        db,
        response,
        polarity="neutral",
        answers={"experience": "neutral"},
        old_increments={"responses": 1, "negative": 1},
        increments={"responses": 1, "neutral": 1},
    )
    assert storage.followups.open_followups(db, "cafe") == {"bill": 1}
    assert len(followups(db, "cafe")) == 1
    with pytest.raises(storage.followups.NoSuchFollowup):
        storage.followups.update_followup(db, 999, status="resolved", note=None, by="m")


def _at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T12:00:00+00:00")


def test_weeks_are_labelled_in_the_readers_language_and_a_partial_week_is_marked(db, loaded):
    cafe = loaded["cafe"]
    for day, polarity in [
        ("2026-11-09", "positive"),
        ("2026-11-10", "negative"),
        ("2026-11-16", "positive"),
        ("2026-11-25", "negative"),  # the week under way on Thursday 26
    ]:
        add(db, cafe, "meal", polarity, when=_at(day))
    board = dashboard.build(db, cafe, dashboard.Filters(), "fr", today=date(2026, 11, 26))
    (meal,) = [r for r in board.rows if r.score.id == "meal"]
    assert [(w["label"], w["short"], w["net"], w["partial"]) for w in meal.weeks] == [
        ("9 nov. 2026", "9 nov.", 0.0, False),
        ("16 nov. 2026", "16 nov.", 100.0, False),
        ("23 nov. 2026", "23 nov.", -100.0, True),
    ]
    ro = dashboard.build(db, cafe, dashboard.Filters(), "ro", today=date(2026, 11, 30))
    (meal,) = [r for r in ro.rows if r.score.id == "meal"]
    assert [w["partial"] for w in meal.weeks] == [False, False, False]  # Sunday 29 is past
    cut = dashboard.Filters(since=date(2026, 11, 16), until=date(2026, 11, 26))
    (meal,) = [r for r in dashboard.build(db, cafe, cut, "fr").rows if r.score.id == "meal"]
    # The week of 16 is whole inside the filters; the one of 23 is cut on Thursday 26.
    assert [(w["short"], w["partial"]) for w in meal.weeks] == [
        ("16 nov.", False),
        ("23 nov.", True),
    ]


def test_the_trend_joins_complete_weeks_only_and_labels_its_axes(app, db, loaded):
    from surveyapp.services import accounts
    from tests.helpers import admin_log_in

    cafe = loaded["cafe"]
    for day in ("2026-11-12", "2026-11-17", "2026-11-18", "2026-11-24"):
        add(db, cafe, "meal", "positive" if day != "2026-11-24" else "negative", when=_at(day))
    accounts.create(db, "maria", "correct horse battery", "admin")
    client = app.test_client()
    admin_log_in(client, "maria", "correct horse battery", "fr")
    page = client.get("/admin/j/cafe?lang=fr&since=2026-11-11&until=2026-11-29").get_data(
        as_text=True
    )
    card = page.split('id="trend-meal"')[1].split("</section>")[0]
    points = card.split('<polyline points="')[1].split('"')[0].split()
    assert len(points) == 2  # the weeks of 16 and 23; the week of 9 is cut by the filter
    assert card.count('class="partial"') == 1
    assert ">+100<" in card and ">−100<" in card and ">9 nov.<" in card and ">23 nov.<" in card
    assert "9 nov. 2026</time> (semaine partielle)" in card
