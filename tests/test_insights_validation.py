"""Insights against planted truths with correlated moments: twenty seeds of 400
customers label no moment without an effect as a driver and find the planted drivers;
sixty customers never get a wrong label. The figures are printed by
benchmarks/insights_validation.py and written in docs/insights.md."""

from __future__ import annotations

import pytest

from surveyapp.domain.definitions import read_definition_file
from surveyapp.services import insights, validation, validation_families
from tests.helpers import ROOT

pytestmark = pytest.mark.sqlite_only  # simulated in memory: no database involved

SEEDS = range(1, 21)


@pytest.fixture(scope="module")
def saas():
    return read_definition_file(
        ROOT / "surveyapp" / "cli" / "demo_journeys" / "saas-onboarding.yaml"
    )


@pytest.mark.parametrize("truth", validation.SAAS_TRUTHS)
def test_twenty_seeds_of_400_customers_label_no_moment_without_an_effect(saas, truth):
    found = validation.validate(
        saas, {truth: validation.SAAS_TRUTHS[truth]}, seeds=SEEDS, customers=400
    )
    assert found.runs == 20
    assert found.false_drivers == 0, found.table()
    if found.drivers_planted:
        assert found.drivers_found >= 0.8 * found.drivers_planted, found.table()
    # The intervals are honest: those of effects planted at zero mostly hold zero.
    assert found.covering >= 0.9 * found.intervals, found.table()


def test_sixty_customers_never_get_a_wrong_label(saas):
    found = validation.validate(saas, validation.SAAS_TRUTHS, seeds=SEEDS, customers=60)
    assert found.wrong_labels == 0, found.table()
    labels = {label for (_, label) in found.counts}
    assert labels <= {"not_enough_data", "no_clear_effect"}


@pytest.mark.parametrize("name", ["ordinal", "moods-0.9", "mood-skips", "all-null", "mood-path"])
def test_other_generating_families_get_no_wrong_label_at_400_customers(saas, name):
    """A subset of benchmarks/insights_validation.py --families: an ordinal outcome,
    moods correlated at 0.9, skips that follow mood, nothing at all, a direct mood path."""
    found = validation_families.validate(
        saas, validation_families.FAMILIES[name], seeds=range(1, 6), customers=400
    )
    assert found.wrong_journeys == 0 and found.false_drivers == 0, found.table()


def test_a_rare_pain_leaves_its_maker_found(saas):
    found = validation_families.validate(
        saas, validation_families.FAMILIES["rare-pain"], seeds=range(1, 6), customers=400
    )
    assert found.found("maker") == 5, found.table()


def test_when_nothing_matters_no_share_of_importance_is_given(saas):
    """Shares of R² always sum to 100%: with no label sure they would only divide chance."""
    family = validation_families.FAMILIES["all-null"]
    rows = validation_families.draw(family, 1000, seed=1)
    result = insights.analyse(saas, rows)
    assert result.shares_withheld and result.explained is not None
    assert all(m.importance is None for m in result.moments)
    with_drivers = insights.analyse(
        saas, validation_families.draw(validation_families.FAMILIES["ordinal"], 1000, seed=1)
    )
    assert not with_drivers.shares_withheld
    assert sum(m.importance.value for m in with_drivers.moments) == pytest.approx(100, abs=0.5)
