"""Statistics a CX manager's figures rest on: intervals that say how sure a figure is."""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.96


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The 95% Wilson score interval of a proportion (None without data).

    Unlike the normal approximation it stays within 0..1 and behaves with few
    responses, which is when a CX manager most needs to be told to wait.
    """
    if n == 0:
        return None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass
class Difference:
    """A difference of two means and its 95% interval."""

    value: float
    low: float
    high: float


def mean_difference(a: list[float], b: list[float]) -> Difference | None:
    """Mean of a minus mean of b, with its 95% interval (normal approximation)."""
    if len(a) < 2 or len(b) < 2:
        return None

    def mean_var(xs):
        m = sum(xs) / len(xs)
        return m, sum((x - m) ** 2 for x in xs) / (len(xs) - 1)

    (ma, va), (mb, vb) = mean_var(a), mean_var(b)
    se = math.sqrt(va / len(a) + vb / len(b))
    d = ma - mb
    # + 0.0: a rounded -0.04 would read as "−0"
    return Difference(round(d, 1) + 0.0, round(d - Z95 * se, 1) + 0.0, round(d + Z95 * se, 1) + 0.0)


@dataclass(frozen=True)
class Figure:
    """A figure in points (a share in percent, or a net score from −100 to 100) with its
    95% interval, and its variance, so that two periods can be compared."""

    value: float
    low: float
    high: float
    variance: float
    n: int


def share_figure(count: int, n: int) -> Figure | None:
    """A share in percent with its Wilson interval (None without data)."""
    interval = wilson(count, n)
    if interval is None:
        return None
    p = count / n
    return Figure(100 * p, 100 * interval[0], 100 * interval[1], 1e4 * p * (1 - p) / n, n)


def net_figure(plus: int, minus: int, n: int) -> Figure | None:
    """A net score (NPS: promoters minus detractors, in points) with its 95% interval:
    the difference of two shares of one sample, whose variance is (p+ + p− − d²) / n."""
    if n == 0:
        return None
    d = (plus - minus) / n
    variance = max(0.0, (plus + minus) / n - d * d) / n
    half = Z95 * math.sqrt(variance)
    return Figure(
        100 * d, max(-100.0, 100 * (d - half)), min(100.0, 100 * (d + half)), 1e4 * variance, n
    )


def change(current: Figure | None, previous: Figure | None) -> Difference | None:
    """How far ``current`` is from ``previous``, in points, with its 95% interval (two
    independent periods: the variances add)."""
    if current is None or previous is None:
        return None
    d = current.value - previous.value
    half = Z95 * math.sqrt(current.variance + previous.variance)
    # + 0.0: a rounded -0.04 would read as "−0"
    return Difference(round(d, 1) + 0.0, round(d - half, 1) + 0.0, round(d + half, 1) + 0.0)
