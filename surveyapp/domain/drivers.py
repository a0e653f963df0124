"""Key-driver statistics: how much each moment moves the outcome, net of the others.

The model is penalty–reward analysis done jointly. Every customer who answered the
outcome and at least one other moment is one observation; the outcome (NPS coded +100 /
0 / −100, or 100 / 0 for a positive share) is regressed on three indicators per moment:
lived it as glory, lived it as pain, did not answer it; "so-so" is the reference. So a
moment's *glory lift* is how much higher customers end when it went well rather than
so-so, and its *pain drag* how much lower when it went badly, each with the other
moments held fixed, which is what keeps a moment that merely travels with a real breaker
(a bad week, a halo) from looking like one. A skipped moment gets its own indicator:
it is neither glory nor pain, and customers who skipped it still count for the others.

Intervals are 95%, from heteroskedasticity-robust (HC3) standard errors: the outcome
takes two or three values, so its spread differs between groups, and HC3 is the
small-sample choice among the sandwich estimators. Identical customers (same answers,
same outcome) are folded into one weighted row, so 100,000 customers of a 7-moment
journey are a few thousand rows and the fit takes milliseconds.

Importance is each moment's Shapley share of the explained variance (R²): the average,
over every order of adding moments to the model, of what adding this one explains.
Shares sum to 100% and rank moments even when no effect is certain; their intervals come
from resampling customers (bootstrap, fixed seed: the same data give the same figures).

numpy is loaded only where the web and the CLI analyse (services/insights), not by every
worker at start.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

#: How a customer lived a moment, as coded in the matrix ``fit`` takes.
SKIPPED, GLORY, SO_SO, PAIN = 0, 1, 2, 3
Z95 = NormalDist().inv_cdf(0.975)
#: Moments up to this many get exact Shapley shares (2**k models); more are sampled.
EXACT_SHAPLEY = 10
#: Orders of moments sampled for the Shapley shares of longer journeys.
SAMPLED_ORDERS = 64
#: Bootstrap resamples for the intervals of shares and of the peak–end comparison.
RESAMPLES = 200
SEED = 20261202


@dataclass(frozen=True)
class Estimate:
    """A figure, its 95% interval and (for an effect) its two-sided p-value."""

    value: float
    low: float
    high: float
    p: float | None = None  # two-sided, against no effect at all
    se: float | None = None  # standard error (of an effect)


@dataclass(frozen=True)
class DriverFit:
    """What the joint model says about each moment (in the order of the columns)."""

    customers: int
    lift: list[Estimate | None]  # glory against so-so; None where it cannot be estimated
    drag: list[Estimate | None]  # so-so against pain: positive when pain costs
    r2: float
    shares: list[Estimate]  # Shapley share of R², in % of what the journey explains


def clean(value: float, digits: int = 1) -> float:
    """Rounded, and never a negative zero (which reads as "−0" on a page)."""
    return round(float(value), digits) + 0.0


def holm(pvalues: list[float]) -> list[float]:
    """Holm's step-down adjusted p-values (family-wise error), in the given order."""
    m = len(pvalues)
    adjusted = [1.0] * m
    running = 0.0
    for rank, index in enumerate(sorted(range(m), key=lambda i: pvalues[i])):
        running = max(running, min(1.0, (m - rank) * pvalues[index]))
        adjusted[index] = running
    return adjusted


def _impute(
    patterns: np.ndarray, w: np.ndarray, lived_by_all: list[bool]
) -> tuple[np.ndarray, np.ndarray]:
    """Glory and pain indicators per pattern of answers, a skipped moment's filled with
    its expected value given the customer's other moments, for moments every customer
    lives (``lived_by_all``).

    Why: moments travel together (a bad week, a halo), so where a real breaker was
    skipped, the customer's other answers stand in for it, and a moment without effect
    would inherit part of the breaker's (measured: 5 to 9 NPS points on planted truths).
    Filling the gap with the breaker's conditional mean, from a linear model fitted on
    the customers who did answer it, leaves nothing for the others to stand in for.
    A moment only some customers live (a problem to resolve) is not filled: there, no
    answer mostly means it never happened, and filling it in would invent an experience
    (measured: it pushes the other moments 5 to 11 points the other way).
    """
    glory = (patterns == GLORY).astype(float)
    pain = (patterns == PAIN).astype(float)
    skipped = (patterns == SKIPPED).astype(float)
    filled_glory, filled_pain = glory.copy(), pain.copy()
    k = patterns.shape[1]
    for j in range(k):
        missing = skipped[:, j] > 0
        if not lived_by_all[j] or not missing.any() or missing.all():
            continue
        others = [c for c in range(k) if c != j]
        z = np.column_stack(
            [np.ones(len(patterns)), glory[:, others], pain[:, others], skipped[:, others]]
        )
        seen = ~missing
        zw = z[seen] * w[seen, None]
        kept = _independent(z[seen].T @ zw)
        coef = np.linalg.solve(
            z[seen][:, kept].T @ zw[:, kept],
            zw[:, kept].T @ np.column_stack([glory[seen, j], pain[seen, j]]),
        )
        expected = np.clip(z[missing][:, kept] @ coef, 0.0, 1.0)
        over = np.maximum(expected.sum(axis=1), 1.0)  # glory and pain share one customer
        filled_glory[missing, j] = expected[:, 0] / over
        filled_pain[missing, j] = expected[:, 1] / over
    return filled_glory, filled_pain


def _design(patterns: np.ndarray, w: np.ndarray, lived_by_all: list[bool]):
    """Intercept, glory and pain per moment, then skipped per moment (nuisance last, so
    that a column dropped for collinearity is a skip indicator, not an effect)."""
    glory, pain = _impute(patterns, w, lived_by_all)
    columns = [np.ones(len(patterns))]
    names: list[tuple[int, str]] = [(-1, "intercept")]
    for j in range(patterns.shape[1]):
        columns += [glory[:, j], pain[:, j]]
        names += [(j, "glory"), (j, "pain")]
    for j in range(patterns.shape[1]):
        columns.append((patterns[:, j] == SKIPPED).astype(float))
        names.append((j, "skipped"))
    return np.column_stack(columns), names


def _independent(gram: np.ndarray) -> list[int]:
    """Columns kept, in order, each adding something the previous ones do not span."""
    kept: list[int] = []
    for c in range(len(gram)):
        own = gram[c, c]
        if own <= 0:
            continue
        if kept:
            k = np.array(kept)
            coef = np.linalg.solve(gram[np.ix_(k, k)], gram[k, c])
            own = own - gram[c, k] @ coef
        if own > 1e-9 * gram[c, c]:
            kept.append(c)
    return kept


def _fold(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of ``codes`` and which one each customer has. Rows read as
    base-4 numbers sort far faster than rows compared column by column."""
    if codes.shape[1] <= 30:
        digits = 4 ** np.arange(codes.shape[1], dtype=np.int64)
        numbers, first, which = np.unique(codes @ digits, return_index=True, return_inverse=True)
        return codes[first], which.reshape(-1)
    patterns, which = np.unique(codes, axis=0, return_inverse=True)
    return patterns, which.reshape(-1)


def fit(
    codes: np.ndarray, outcome: np.ndarray, span: float, lived_by_all: list[bool] | None = None
) -> DriverFit:
    """The joint model of ``outcome`` (one per customer) on ``codes`` (customers ×
    moments, SKIPPED/GLORY/SO_SO/PAIN). ``span`` bounds every effect and interval (the
    widest difference the outcome's scale allows); ``lived_by_all`` says, per moment,
    whether a customer without an answer skipped it (filled in) rather than never lived
    it (default: every moment is lived by all)."""
    patterns, which = _fold(codes)
    lived_by_all = lived_by_all if lived_by_all is not None else [True] * codes.shape[1]
    x_patterns, names = _design(patterns, np.bincount(which).astype(float), lived_by_all)
    levels, level = np.unique(outcome, return_inverse=True)
    cells, weights = np.unique(which * len(levels) + level.reshape(-1), return_counts=True)
    x, y = x_patterns[cells // len(levels)], levels[cells % len(levels)]
    w = weights.astype(float)
    kept = _independent(x.T @ (x * w[:, None]))
    x, names = x[:, kept], [names[c] for c in kept]
    bread = np.linalg.inv(x.T @ (x * w[:, None]))
    beta = bread @ (x.T @ (w * y))
    residual = y - x @ beta
    leverage = np.einsum("ij,jk,ik->i", x, bread, x)
    scale = w * (residual / np.clip(1 - leverage, 1e-6, None)) ** 2
    cov = bread @ (x.T @ (x * scale[:, None])) @ bread
    k = codes.shape[1]
    lift: list[Estimate | None] = [None] * k
    drag: list[Estimate | None] = [None] * k
    for c, (j, name) in enumerate(names):
        if name not in ("glory", "pain"):
            continue
        value = beta[c] if name == "glory" else -beta[c]
        se = math.sqrt(max(cov[c, c], 0.0))
        p = 2 * (1 - NormalDist().cdf(abs(value) / se)) if se > 0 else 1.0
        estimate = _bounded(value, value - Z95 * se, value + Z95 * se, span, p, se)
        if name == "glory":
            lift[j] = estimate
        else:
            drag[j] = estimate
    groups = [[c for c, (j, _) in enumerate(names) if j == moment] for moment in range(k)]
    r2, shares = _importance(x, y, w, groups)
    return DriverFit(int(weights.sum()), lift, drag, r2, shares)


def _bounded(value, low, high, span, p=None, se=None) -> Estimate:
    return Estimate(
        clean(max(-span, min(span, value))),
        clean(max(-span, low)),
        clean(min(span, high)),
        None if p is None else round(p, 6),
        None if se is None else round(se, 3),
    )


def p_above(estimate: Estimate, margin: float) -> float:
    """One-sided p-value of "the effect is no larger than ``margin``"."""
    if not estimate.se:
        return 1.0
    return 1 - NormalDist().cdf((estimate.value - margin) / estimate.se)


#: The chance of labelling an effect of the size :func:`detectable` gives.
POWER = 0.8


def detectable(se: float, *, margin: float, threshold: float, tests: int, span: float) -> float:
    """The smallest effect a moment's test would label 4 times in 5 (POWER) at this
    standard error: its estimate must reach ``threshold`` and be surely above ``margin``
    once Holm's correction over ``tests`` is made, taken at its strictest (the first
    step's 5%/tests), so the figure never promises more than the data can give. At most
    ``span``, the widest effect the outcome allows."""
    z_power = NormalDist().inv_cdf(POWER)
    z_test = NormalDist().inv_cdf(1 - 0.05 / max(tests, 1))
    smallest = max(margin + (z_test + z_power) * se, threshold + z_power * se)
    return clean(min(span, smallest), 0)


def _moments(x, y, weights: np.ndarray):
    """The weighted cross products of the data and of each resample (rows of ``weights``),
    with a ridge too small to move a figure, there because a resample may empty a column."""
    p = x.shape[1]
    gram = (weights @ (x[:, :, None] * x[:, None, :]).reshape(len(x), p * p)).reshape(-1, p, p)
    ridge = 1e-9 * np.trace(gram, axis1=1, axis2=2) / p
    gram = gram + ridge[:, None, None] * np.eye(p)
    xy = weights @ (x * y[:, None])
    yy = weights @ (y * y)
    total = yy - (weights @ y) ** 2 / weights.sum(axis=1)
    return gram, xy, yy, total


def _r2_of(sse, total):
    return np.where(total > 0, 1 - sse / np.where(total > 0, total, 1), 0.0)


def _explained(moments, subsets: list[tuple[int, list[int]]]) -> dict:
    """R² of the model with the intercept and the columns of each subset, for the data and
    each resample: many small systems solved at once, batched by size."""
    gram, xy, yy, total = moments
    by_size: dict[int, list[tuple[int, list[int]]]] = {}
    for mask, columns in subsets:
        by_size.setdefault(len(columns), []).append((mask, columns))
    result = {}
    for items in by_size.values():
        index = np.array([[0, *columns] for _, columns in items])
        a = gram[:, index[:, :, None], index[:, None, :]]
        b = xy[:, index]
        sse = yy[:, None] - (np.linalg.solve(a, b[..., None])[..., 0] * b).sum(axis=2)
        r2 = _r2_of(sse, total[:, None])
        for position, (mask, _) in enumerate(items):
            result[mask] = r2[:, position]
    return result


def _shapley(x, y, weights: np.ndarray, groups) -> tuple[np.ndarray, np.ndarray]:
    """R² of the full model and each group's Shapley share of it (in %), per row of
    ``weights``: exact over every subset of moments, or over sampled orders."""
    k = len(groups)
    moments = _moments(x, y, weights)
    phi = np.zeros((len(weights), k))
    if k <= EXACT_SHAPLEY:

        def columns(mask):
            return [c for j in range(k) if mask >> j & 1 for c in groups[j]]

        r2 = _explained(moments, [(m, columns(m)) for m in range(1 << k)])
        weight = [
            math.factorial(s) * math.factorial(k - s - 1) / math.factorial(k) for s in range(k)
        ]
        for mask in range(1 << k):
            for j in range(k):
                if not mask >> j & 1:
                    phi[:, j] += weight[bin(mask).count("1")] * (r2[mask | 1 << j] - r2[mask])
        full = r2[(1 << k) - 1]
    else:
        # Along one order, the R² of every prefix comes from one Cholesky factor of the
        # cross products in that order: what each next column explains is the square of
        # its entry in L⁻¹·xy. One factorisation per order instead of one solve per prefix
        # (a 50-moment journey went from minutes to under a second).
        gram, xy, yy, total = moments
        rng = np.random.default_rng(SEED)
        for _ in range(SAMPLED_ORDERS):
            order = [int(j) for j in rng.permutation(k)]
            index = np.array([0, *(c for j in order for c in groups[j])])
            factor = np.linalg.cholesky(gram[:, index[:, None], index[None, :]])
            explained = np.cumsum(
                np.linalg.solve(factor, xy[:, index][..., None])[..., 0] ** 2, axis=1
            )
            r2 = _r2_of(yy[:, None] - explained, total[:, None])
            end = 1  # the intercept alone explains nothing
            for j in order:
                before, end = end, end + len(groups[j])
                phi[:, j] += r2[:, end - 1] - r2[:, before - 1]
        phi /= SAMPLED_ORDERS
        full = phi.sum(axis=1)  # every order ends with the full model
    safe = np.where(full > 0, full, 1.0)
    return full, np.where(full[:, None] > 0, 100 * phi / safe[:, None], 0.0)


def _resamples(w: np.ndarray, count: int) -> np.ndarray:
    """``count`` bootstrap resamples of the customers, as weights of the folded rows
    (Poisson bootstrap: each customer drawn a Poisson(1) number of times, which is the
    multinomial resample's large-sample equivalent and ten times cheaper to draw)."""
    return np.random.default_rng(SEED).poisson(w, size=(count, len(w))).astype(float)


def _importance(x, y, w, groups) -> tuple[float, list[Estimate]]:
    """R² of the model, and each moment's share with its percentile bootstrap interval."""
    count = RESAMPLES if len(groups) <= EXACT_SHAPLEY else RESAMPLES // 8
    full, shares = _shapley(x, y, np.vstack([w, _resamples(w, count)]), groups)
    low, high = np.percentile(shares[1:], [2.5, 97.5], axis=0)
    return float(full[0]), [
        Estimate(clean(s), clean(max(0.0, lo)), clean(min(100.0, hi)))
        for s, lo, hi in zip(shares[0], low, high, strict=True)
    ]


def compare_predictors(
    first: np.ndarray, second: np.ndarray, outcome: np.ndarray
) -> tuple[float, float, Estimate] | None:
    """How much of the outcome's variance each predictor explains alone (R², in %), and
    the first's minus the second's with its bootstrap interval (None when one of them
    does not vary)."""
    rows, counts = np.unique(np.column_stack([first, second, outcome]), axis=0, return_counts=True)
    w = counts.astype(float)
    weights = np.vstack([w, _resamples(w, RESAMPLES * 5)])
    a, b = (_r2(rows[:, i], rows[:, 2], weights) for i in (0, 1))
    if np.isnan(a[0]) or np.isnan(b[0]):
        return None
    diffs = (a - b)[1:]
    low, high = np.nanpercentile(diffs, [2.5, 97.5])
    return clean(a[0]), clean(b[0]), Estimate(clean(a[0] - b[0]), clean(low), clean(high))


def _r2(x: np.ndarray, y: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted squared correlation in %, per row of ``weights`` (NaN where x or y is
    constant)."""
    total = weights.sum(axis=1)
    mx, my = (weights @ x) / total, (weights @ y) / total
    dx, dy = x[None, :] - mx[:, None], y[None, :] - my[:, None]
    vx, vy = (weights * dx * dx).sum(axis=1), (weights * dy * dy).sum(axis=1)
    cov = (weights * dx * dy).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where((vx > 0) & (vy > 0), 100 * cov * cov / (vx * vy), np.nan)
