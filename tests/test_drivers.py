"""The statistics under insights: Holm's correction, the joint model's effects and
intervals, Shapley shares, and the comparison of two predictors."""

from __future__ import annotations

import numpy as np
import pytest

from surveyapp.domain import drivers
from surveyapp.domain.drivers import GLORY, PAIN, SKIPPED, SO_SO


def test_holm_adjusts_step_down_and_keeps_the_order():
    # Sorted: 0.005 x4, 0.01 x3, 0.03 x2, 0.04 x1 (then kept monotone).
    assert drivers.holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert drivers.holm([0.5, 0.9]) == [1.0, 1.0]  # never below an earlier step


def test_the_joint_model_recovers_planted_effects_net_of_a_correlated_moment():
    rng = np.random.default_rng(3)
    n = 4000
    mood = rng.normal(size=n)
    codes = np.empty((n, 2), dtype=np.int8)
    for j in range(2):  # both moments follow the mood
        latent = 0.8 * mood + 0.6 * rng.normal(size=n)
        codes[:, j] = np.where(latent > 0.5, GLORY, np.where(latent < -0.5, PAIN, SO_SO))
    # Only moment 0 matters: glory +20, pain -40.
    y = 10 + 20 * (codes[:, 0] == GLORY) - 40 * (codes[:, 0] == PAIN) + rng.normal(0, 30, n)
    fit = drivers.fit(codes, y, span=200)
    assert fit.lift[0].low < 20 < fit.lift[0].high
    assert fit.drag[0].low < 40 < fit.drag[0].high
    assert fit.lift[1].low < 0 < fit.lift[1].high and fit.drag[1].low < 0 < fit.drag[1].high
    assert fit.shares[0].value > 80 and sum(s.value for s in fit.shares) == pytest.approx(100)


def test_skipped_answers_are_filled_so_others_do_not_stand_in_for_them():
    rng = np.random.default_rng(4)
    n = 20000
    mood = rng.normal(size=n)
    codes = np.empty((n, 2), dtype=np.int8)
    for j in range(2):
        latent = 0.8 * mood + 0.6 * rng.normal(size=n)
        codes[:, j] = np.where(latent > 0.5, GLORY, np.where(latent < -0.5, PAIN, SO_SO))
    y = -60.0 * (codes[:, 0] == PAIN) + rng.normal(0, 20, n)
    codes[rng.random(n) < 0.4, 0] = SKIPPED  # the breaker is often not answered
    filled = drivers.fit(codes, y, span=200)
    assert abs(filled.drag[1].value) < 3  # the other moment gets no part of the breaker's
    indicator_only = drivers.fit(codes, y, span=200, lived_by_all=[False, True])
    assert indicator_only.drag[1].value > 5  # which it does when skips are not filled in


def test_effects_and_intervals_stay_within_the_scale_and_are_never_negative_zero():
    codes = np.array([[GLORY], [SO_SO], [PAIN]] * 20, dtype=np.int8)
    y = np.array([100.0, 0.0, -100.0] * 20)
    fit = drivers.fit(codes, y, span=200)
    for effect in (fit.lift[0], fit.drag[0]):
        assert -200 <= effect.low <= effect.value <= effect.high <= 200
    assert str(drivers.clean(-0.04)) == "0.0"


def test_compare_predictors_finds_the_one_that_explains_more():
    rng = np.random.default_rng(5)
    good = rng.normal(size=2000)
    poor = good + rng.normal(0, 2, size=2000)
    y = good + rng.normal(0, 0.5, size=2000)
    a, b, difference = drivers.compare_predictors(good, poor, y)
    assert a > b and difference.low > 0
    assert drivers.compare_predictors(np.zeros(10), poor[:10], y[:10]) is None


def test_sampled_shapley_shares_of_a_long_journey_agree_with_the_exact_ones(monkeypatch):
    rng = np.random.default_rng(6)
    n, k = 3000, 11  # one more moment than the exact computation takes
    codes = rng.choice([GLORY, SO_SO, PAIN, SKIPPED], size=(n, k)).astype(np.int8)
    y = 30.0 * (codes[:, 2] == GLORY) - 50 * (codes[:, 7] == PAIN) + rng.normal(0, 30, n)
    sampled = drivers.fit(codes, y, span=200)
    monkeypatch.setattr(drivers, "EXACT_SHAPLEY", 11)
    exact = drivers.fit(codes, y, span=200)
    assert sampled.r2 == pytest.approx(exact.r2)
    for s, e in zip(sampled.shares, exact.shares, strict=True):
        assert abs(s.value - e.value) < 3  # points of the 100% explained
    assert max(range(k), key=lambda j: sampled.shares[j].value) == 7
