"""Scoring: a response's polarity and each moment's figures."""

from __future__ import annotations

import pytest

from surveyapp.domain import scoring, surveys
from surveyapp.domain.definitions import parse_definition

JOURNEY = parse_definition(
    """
id: j
brand: B
default_locale: en
locales: [en]
moments:
  - {id: meal, kind: smot, name: Meal}
  - {id: review, kind: lmot, name: Review}
  - {id: delivery, kind: amot, name: Delivery, questions: [effort, why]}
"""
)


def survey(moment_id):
    return surveys.survey_for(JOURNEY, JOURNEY.moment(moment_id))


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("nps", 10, "positive"),
        ("nps", 9, "positive"),
        ("nps", 8, "neutral"),
        ("nps", 7, "neutral"),
        ("nps", 6, "negative"),
        ("nps", 0, "negative"),
        ("csat", 5, "positive"),
        ("csat", 4, "positive"),
        ("csat", 3, "neutral"),
        ("csat", 2, "negative"),
        ("csat", 1, "negative"),
        ("ces", 7, "positive"),
        ("ces", 5, "positive"),
        ("ces", 4, "neutral"),
        ("ces", 3, "negative"),
        ("ces", 1, "negative"),
    ],
)
def test_rating_thresholds(kind, value, expected):
    assert scoring.polarity_from_rating(kind, value) == expected


def test_the_polarity_question_decides_even_against_the_rating():
    answers = {"experience": "negative", "satisfaction": 5}
    assert scoring.polarity_of(survey("meal"), answers) == "negative"


def test_nps_decides_when_there_is_no_polarity_question():
    assert scoring.polarity_of(survey("review"), {"recommend": 6}) == "negative"
    assert scoring.polarity_of(survey("delivery"), {"effort": 5}) == "positive"


def add_up(moment_id, responses):
    total = dict.fromkeys(scoring.TALLY_FIELDS, 0)
    s = survey(moment_id)
    for answers in responses:
        inc = scoring.tally_increments(s, answers, scoring.polarity_of(s, answers))
        total = {k: total[k] + inc[k] for k in total}
    return scoring.moment_score(
        moment_id=moment_id,
        kind=s.kind,
        name="x",
        retired=False,
        asks=tuple(q.type for q in s.questions),
        tally=total,
    )


def test_net_score_nps_and_csat_of_a_moment():
    meal = add_up(
        "meal",
        [
            {"experience": "positive", "satisfaction": 5},
            {"experience": "positive", "satisfaction": 4},
            {"experience": "neutral"},
            {"experience": "negative", "satisfaction": 1},
        ],
    )
    assert (meal.responses, meal.positive, meal.neutral, meal.negative) == (4, 2, 1, 1)
    assert meal.net_score == 25.0
    assert meal.csat_mean == pytest.approx(3.33)
    assert meal.csat_satisfied_pct == pytest.approx(66.7)
    review = add_up(
        "review",
        [
            {"recommend": 10},
            {"recommend": 9},
            {"recommend": 7},
            {"recommend": 3},
            {"recommend": 0},
            {"recommend": 8},
        ],
    )
    assert review.nps == pytest.approx(0.0)
    assert review.net_score == 0.0
    assert "nps" in review.to_dict() and "csat_mean" not in review.to_dict()


def test_a_moment_without_responses_has_null_scores():
    empty = add_up("delivery", [])
    assert empty.to_dict() == {
        "id": "delivery",
        "kind": "amot",
        "name": "x",
        "retired": False,
        "responses": 0,
        "positive": 0,
        "neutral": 0,
        "negative": 0,
        "net_score": None,
        "ces_mean": None,
        **scoring.funnel_figures(None),
    }


def test_ces_mean_counts_only_those_who_answered_it():
    delivery = add_up("delivery", [{"effort": 7}, {"effort": 2}, {"effort": 6}])
    assert delivery.ces_mean == pytest.approx(5.0)
    assert delivery.net_score == pytest.approx(33.3)
