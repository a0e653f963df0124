"""Geometry of the insights page's server-side SVG chart: for each moment, what pain
costs and what glory brings, with their 95% intervals. The template draws it; no
JavaScript, and every figure is also in the sentences and the table beside it."""

from __future__ import annotations

import math
from dataclasses import dataclass

WIDTH = 640
NAME_WIDTH = 190  # moment names, left of the bars
LEFT, RIGHT = NAME_WIDTH + 20, WIDTH - 20
ROW = 46
TOP = 34  # room for the legend above the first row
AXIS = 28  # room for the scale below the last row


@dataclass
class Bar:
    """One effect drawn from zero: its bar and its interval's whisker (pixels)."""

    x: float
    width: float
    low: float
    high: float
    y: float


@dataclass
class Row:
    name: str
    label: str
    y: float
    glory: Bar | None
    pain: Bar | None


def _scale(moments, threshold: float) -> float:
    """The widest value either side of zero, rounded up to a tidy step."""
    widest = threshold * 2
    for m in moments:
        for effect in (m.glory_lift, m.pain_drag):
            if effect is not None:
                widest = max(widest, abs(effect.low), abs(effect.high))
    step = 20 if widest <= 100 else 50
    return math.ceil(widest / step) * step


def priority_chart(result) -> dict:
    """Rows, the scale's ticks and the threshold lines of a journey's insights, in the
    SVG's pixels. Pain is drawn as what it does to the outcome (left when it costs),
    glory likewise (right when it brings): drag and lift, signs turned to the outcome's."""
    reach = _scale(result.moments, result.threshold)
    zero = (LEFT + RIGHT) / 2
    half = (RIGHT - LEFT) / 2

    def at(value: float) -> float:
        return zero + max(-reach, min(reach, value)) / reach * half

    def bar(effect, sign: int, y: float) -> Bar | None:
        if effect is None:
            return None
        end, a, b = at(sign * effect.value), at(sign * effect.low), at(sign * effect.high)
        return Bar(min(zero, end), abs(end - zero), min(a, b), max(a, b), y)

    rows = []
    for i, m in enumerate(result.moments):
        y = TOP + i * ROW
        shown = m.label != "not_enough_data"
        rows.append(
            Row(
                name=m.name,
                label=m.label,
                y=y,
                glory=bar(m.glory_lift, 1, y + 8) if shown else None,
                pain=bar(m.pain_drag, -1, y + 24) if shown else None,
            )
        )
    bottom = TOP + len(rows) * ROW
    ticks = [(at(v), int(v)) for v in (-reach, -reach / 2, 0, reach / 2, reach)]
    return {
        "width": WIDTH,
        "height": bottom + AXIS,
        "rows": rows,
        "zero": zero,
        "left": LEFT,
        "right": RIGHT,
        "name_width": NAME_WIDTH,
        "bottom": bottom,
        "ticks": ticks,
        "threshold": (at(-result.threshold), at(result.threshold)),
    }
