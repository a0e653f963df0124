"""Peak and end: do customers remember a journey by its most intense moment and its
end, or by all of it? Tested on the journey's own customers (docs/insights.md)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import numpy as np

from surveyapp.domain import drivers

#: A peak-end score and a plain mean this far apart (on −1..+1) tell different stories.
DIVERGING = 0.5


def summary(codes, y, moment_ids: list[str], min_group: int) -> tuple[dict[str, Any], Any]:
    """Peak-end score beside the plain mean, per customer who answered several moments
    (``codes`` as drivers codes them, the outcome ``y`` aside), and which of the two
    predicts the outcome better; and the number of customers whose peak was each moment's
    pain.

    A customer's peak is their most intense moment (|score| largest; between equals, pain
    over glory, then the later one); the peak-end score is the mean of the peak and the
    last moment, on the scale glory +1, so-so 0, pain -1.
    """
    k = codes.shape[1]
    score = np.select([codes == drivers.GLORY, codes == drivers.PAIN], [1, -1], 0)
    answered = codes > 0
    several = answered.sum(axis=1) >= 2
    score, answered, outcome = score[several], answered[several], y[several]
    position = np.arange(k)
    priority = np.where(answered, np.abs(score) * 4 * k + (score < 0) * 2 * k + position, -1)
    rows = np.arange(len(score))
    peak_column = priority.argmax(axis=1) if len(score) else np.zeros(0, dtype=int)
    peak = score[rows, peak_column]
    last = score[rows, np.where(answered, position, -1).argmax(axis=1)] if len(score) else peak
    peak_end = (peak + last) / 2
    plain = (score * answered).sum(axis=1) / np.maximum(answered.sum(axis=1), 1)
    pain_peaks = np.bincount(peak_column[peak < 0], minlength=k)
    n = len(score)
    pe = {
        "customers": n,
        "mean_peak_end": round(float(peak_end.mean()), 3) + 0.0 if n else None,
        "mean_plain": round(float(plain.mean()), 3) + 0.0 if n else None,
        "share_diverging": round(float((np.abs(peak_end - plain) >= DIVERGING).mean()), 3)
        if n
        else None,
        "pain_peaks": {
            moment: int(count)
            for moment, count in sorted(
                zip(moment_ids, pain_peaks, strict=True), key=lambda item: -item[1]
            )
            if count
        },
        "with_outcome": 0,
        "explained_peak_end": None,  # % of the outcome's variance each one explains alone
        "explained_mean": None,
        "difference": None,
        "verdict": None,
    }
    known = ~np.isnan(outcome)
    pe["with_outcome"] = int(known.sum())
    if pe["with_outcome"] >= min_group:
        compared = drivers.compare_predictors(peak_end[known], plain[known], outcome[known])
        if compared is not None:
            pe["explained_peak_end"], pe["explained_mean"], difference = compared
            pe["difference"] = asdict(difference)
            pe["verdict"] = (
                "peak_end" if difference.low > 0 else "mean" if difference.high < 0 else "unclear"
            )
    return pe, pain_peaks
