"""The terms that set pain comments apart from glory comments: weighted log-odds with an
informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words"), each term's
z-score, and a claim only where the z-score survives a correction for every term tested
at once (Benjamini-Hochberg's; comment_vocabulary.CORRECTION says why).

A comment counts once per term it holds (a customer who writes "late" three times is one
voice), so the model is the paper's with comments for words: each side's log-odds of a
comment holding the term, its variance binomial (1/y + 1/(n - y): a term held by 15% of
comments is not rare enough to drop the second part, and dropping it cost a tenth of the
planted words found). The prior is the two sides together, worth
:data:`PRIOR_COMMENTS` comments: it shrinks rare terms' log-odds toward zero, so a term
seen twice on one side does not outrank one seen forty times.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from surveyapp.domain.comment_vocabulary import (
    CORRECTION,
    ERROR_LEVEL,
    MIN_COMMENTS,
    PRIOR_COMMENTS,
)


@dataclass(frozen=True)
class TermScore:
    """One term tested: its z-score (positive: pain), the comments of each side holding it,
    and whether it is claimed (its side's term, the correction passed)."""

    key: str
    z: float
    pain: int
    glory: int
    claimed: bool = False

    @property
    def side(self) -> str:
        """The side the term leans to: ``pain`` or ``glory``."""
        return "pain" if self.z > 0 else "glory"


def _log_odds(count: float, total: float) -> tuple[float, float]:
    """The log-odds of ``count`` of ``total`` and its variance."""
    return math.log(count / (total - count)), 1 / count + 1 / (total - count)


def scores(
    pain: Counter,
    glory: Counter,
    comments: tuple[int, int],
    *,
    min_comments: int = MIN_COMMENTS,
    prior_comments: float = PRIOR_COMMENTS,
    level: float = ERROR_LEVEL,
    correction: str = CORRECTION,
) -> list[TermScore]:
    """Every term held by at least ``min_comments`` comments, scored and ranked by |z|,
    those that survive ``correction`` at ``level`` marked claimed (see :func:`_claims`).

    ``pain`` and ``glory`` count, for each term, the comments of that side holding it;
    ``comments`` is the number of comments on each side.
    """
    n_pain, n_glory = comments
    if not n_pain or not n_glory:
        return []
    total = n_pain + n_glory
    tested = []
    for key in pain.keys() | glory.keys():
        y_pain, y_glory = pain[key], glory[key]
        if y_pain + y_glory < min_comments:
            continue
        alpha = prior_comments * (y_pain + y_glory) / total
        pain_odds, pain_var = _log_odds(y_pain + alpha, n_pain + prior_comments)
        glory_odds, glory_var = _log_odds(y_glory + alpha, n_glory + prior_comments)
        z = (pain_odds - glory_odds) / math.sqrt(pain_var + glory_var)
        tested.append(TermScore(key, z, y_pain, y_glory))
    tested.sort(key=lambda t: (-abs(t.z), t.key))
    return _claims(tested, level, correction)


def _claims(ranked: list[TermScore], level: float, correction: str) -> list[TermScore]:
    """``ranked`` (by |z|, largest first) with its claims: Benjamini-Hochberg's step-up
    (``bh``: at most ``level`` of the claims false, on average), Holm's step-down
    (``holm``: no false claim at all, ``level`` of the time) or each term on its own
    (``none``)."""
    m = len(ranked)
    p = [math.erfc(abs(term.z) / math.sqrt(2)) for term in ranked]
    if correction == "bh":
        passing = [k for k in range(m) if p[k] <= level * (k + 1) / m]
        cut = passing[-1] + 1 if passing else 0
    elif correction == "holm":
        cut = next((k for k in range(m) if p[k] > level / (m - k)), m)
    else:
        cut = sum(1 for value in p if value <= level)
    return [TermScore(t.key, t.z, t.pain, t.glory, k < cut) for k, t in enumerate(ranked)]
