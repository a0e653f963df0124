"""Insights find the truth planted in simulated journeys, and say when data is too thin."""

from __future__ import annotations

import json

import pytest

from surveyapp import storage
from surveyapp.domain import surveys
from surveyapp.jobs import insights, simulate
from tests.helpers import record_scored

TRUTHS = {
    "kinds-as-declared": None,  # the default truth follows the declared kinds
    "delivery-is-the-truth": {
        "moments": {
            "reviews": {"role": "maker", "glory": 0.4, "pain": 0.3},
            "first-visit": {"role": "neutral"},
            "delivery": {"role": "moment_of_truth", "glory": 0.5, "pain": 0.3},
            "onboarding-call": {"role": "breaker", "glory": 0.6, "pain": 0.25},
            "billing": {"role": "breaker", "response_rate": 0.9},
            "support-ticket": {"role": "neutral"},
        }
    },
    "all-quiet-but-billing": {
        "noise": 1.5,
        "moments": {
            "reviews": {"role": "neutral"},
            "first-visit": {"role": "neutral"},
            "delivery": {"role": "neutral"},
            "onboarding-call": {"role": "neutral"},
            "billing": {"role": "moment_of_truth", "glory": 0.45, "pain": 0.35},
            "support-ticket": {"role": "maker", "glory": 0.5, "pain": 0.2},
        },
    },
}


@pytest.mark.sqlite_only  # statistics, checked once: the engine does not change them
@pytest.mark.parametrize("name", TRUTHS)
def test_the_labels_recovered_match_the_truth_planted(db, loaded, name):
    journey = loaded["saas-onboarding"]
    summary = simulate.run(db, journey, customers=6000, seed=11, truth=TRUTHS[name])
    result = insights.compute(db, journey)
    planted = {moment: spec["role"] for moment, spec in summary["truth"]["moments"].items()}
    found = {m.id: m.label for m in result.moments}
    assert found == planted
    assert result.outcome_moment == "recommendation" and result.outcome_metric == "nps"


def test_with_too_little_data_the_analysis_says_so(db, loaded):
    journey = loaded["saas-onboarding"]
    simulate.run(db, journey, customers=60, seed=3)
    result = insights.compute(db, journey)
    assert {m.label for m in result.moments} == {"not_enough_data"}
    assert all(
        m.glory.n < insights.MIN_GROUP or m.pain.n < insights.MIN_GROUP for m in result.moments
    )


def test_a_journey_without_an_outcome_moment_has_nothing_to_measure(db, loaded):
    from surveyapp.domain.definitions import parse_definition

    journey = parse_definition(
        "id: shop\nbrand: S\ndefault_locale: ro\nlocales: [ro]\n"
        "moments: [{id: a, kind: fmot, name: A}]\n"
    )
    storage.store_journeys(db, [journey])
    assert insights.compute(db, journey).outcome_moment is None
    with pytest.raises(simulate.TruthError, match="no lmot or loyalty moment"):
        simulate.run(db, journey, customers=5, seed=1, truth={"moments": {}})


def answer(db, journey, customer, moment_id, polarity, nps=None):
    """``customer``'s answer to ``moment_id``, by email (NPS ``nps`` where given)."""
    survey = surveys.survey_for(journey, journey.moment(moment_id))
    answers = {survey.deciding.key: nps if nps is not None else polarity}
    record_scored(
        db, journey, moment_id, answers, polarity=polarity, channel="email", customer=customer
    )


def test_peak_end_takes_the_most_intense_moment_and_the_last(db, loaded):
    cafe = loaded["cafe"]
    # Glory, glory, then pain at the end: a plain mean of +1/3, a peak-end of -1.
    answer(db, cafe, "C-1", "welcome", "positive")
    answer(db, cafe, "C-1", "meal", "positive")
    answer(db, cafe, "C-1", "bill", "negative")
    # Pain first, glory at the end: the pain is the peak; peak-end 0 against +1/3.
    answer(db, cafe, "C-2", "welcome", "negative")
    answer(db, cafe, "C-2", "meal", "positive")
    answer(db, cafe, "C-2", "review", "positive", nps=10)
    pe = insights.compute(db, cafe).peak_end
    assert pe["customers"] == 2
    assert pe["mean_peak_end"] == pytest.approx((-1 + 0) / 2)
    assert pe["mean_plain"] == pytest.approx((1 / 3 + 1 / 3) / 2, abs=1e-3)
    assert pe["pain_peaks"] == {"bill": 1, "welcome": 1}
    assert pe["share_diverging"] == 0.5  # only C-1 moves by 0.5 or more (-4/3)


@pytest.mark.sqlite_only  # statistics, checked once
def test_the_recovery_paradox_is_measured(db, loaded):
    journey = loaded["saas-onboarding"]
    truth = {
        "moments": {
            "support-ticket": {"role": "maker", "glory": 0.7, "pain": 0.1, "response_rate": 1.0}
        }
    }
    simulate.run(db, journey, customers=4000, seed=5, truth=truth)
    (recovery,) = insights.compute(db, journey).recoveries
    assert recovery.recovered.n > 500 and recovery.never_a_problem.n > 500  # 30% had a problem
    assert recovery.difference.low <= recovery.difference.value <= recovery.difference.high
    assert recovery.paradox is True


def test_insights_and_simulate_from_the_cli(run_cli, loaded, tmp_path, db):
    truth = tmp_path / "truth.yaml"
    truth.write_text("moments:\n  delivery: {role: breaker, glory: 0.5, pain: 0.3}\n")
    result = run_cli(
        "simulate", "saas-onboarding", "--customers", "3000", "--seed", "4", "--truth", truth
    )
    assert result.exit_code == 0 and "delivery=breaker" in result.output
    table = run_cli("insights", "saas-onboarding").output
    assert "delivery          amot       breaker" in table
    data = json.loads(run_cli("insights", "saas-onboarding", "--format", "json").output)
    assert next(m for m in data["moments"] if m["id"] == "delivery")["label"] == "breaker"
    before = storage.count_responses(db)
    truth.write_text("moments:\n  delivery: {role: villain}\n  nowhere: {role: maker}\n")
    bad = run_cli("simulate", "saas-onboarding", "--customers", "10", "--truth", truth)
    assert bad.exit_code == 1
    assert "moments.delivery.role: one of" in bad.output and "moments.nowhere" in bad.output
    assert storage.count_responses(db) == before


def test_the_admin_page_shows_the_labels_beside_the_declared_kinds(app, db, loaded):
    from surveyapp.jobs import accounts
    from tests.helpers import admin_log_in

    simulate.run(db, loaded["saas-onboarding"], customers=3000, seed=9)
    accounts.create(db, "maria", "correct horse battery")
    client = app.test_client()
    admin_log_in(client, "maria", "correct horse battery", "ro")
    html = client.get("/admin/j/saas-onboarding/insights?lang=ro").get_data(as_text=True)
    assert "<h1>Care momente decid?</h1>" in html
    row = html.split("Accesul la cont după achiziție")[1].split("</tr>")[0]
    assert "AMOT: de la cumpărare la primire" in row and "<strong>Distrugător</strong>" in row
