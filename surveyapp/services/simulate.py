"""Simulated journeys with a stated ground truth, to prove that insights find it.

A truth says, for each moment, its role (moment_of_truth, breaker, maker, neutral), how
often customers live it as glory or pain, how many live it at all (``incidence``: only some
customers ever have a problem to resolve) and how many of those answer. Customers are not
independent draws per moment: each has a latent mood, and ``halo`` (0 to 1, the
correlation it induces) tilts all their moments together, the way a bad week or a good
first impression colours a whole journey. Their recommendation (0-10, rounded and
clamped to the scale) is ``base`` plus the effect of each moment they lived (glory/pain:
+/-2.5 where the role says it matters, nothing at all elsewhere: a breaker's glory, a
maker's pain, a neutral moment) plus noise: the outcome depends on the planted
drivers only, so a neutral moment that travels with a breaker must not be labelled one.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from datetime import timedelta
from statistics import NormalDist
from typing import Any

from surveyapp import storage
from surveyapp.domain import scoring
from surveyapp.domain.errors import Invalid
from surveyapp.domain.journeys import Journey
from surveyapp.domain.surveys import survey_for
from surveyapp.domain.vocabulary import POLARITIES, Polarity
from surveyapp.services.insights import outcome_moment
from surveyapp.storage import Database

ROLES = ("moment_of_truth", "breaker", "maker", "neutral")
EFFECTS = {  # (glory, pain) on the 0-10 recommendation
    "moment_of_truth": (2.5, -2.5),
    "breaker": (0.0, -2.5),
    "maker": (2.5, 0.0),
    "neutral": (0.0, 0.0),
}
#: Correlation of a customer's moments through their mood, unless the truth says.
DEFAULT_HALO = 0.4
#: Share of customers who live a moment at all: only some ever have a problem to resolve.
DEFAULT_INCIDENCE = {"recovery": 0.3}
DEFAULT_ROLE_OF_KIND = {"recovery": "moment_of_truth", "amot": "breaker", "fmot": "maker"}


class TruthError(Invalid, ValueError):
    """A truth file is wrong; the message says where."""


def default_truth(journey: Journey) -> dict[str, Any]:
    """A plausible truth from the declared kinds (used when no --truth is given)."""
    outcome = outcome_moment(journey)
    return {
        "base": 7.5,
        "noise": 1.0,
        "halo": DEFAULT_HALO,
        "moments": {
            m.id: {
                "role": DEFAULT_ROLE_OF_KIND.get(m.kind, "neutral"),
                "glory": 0.5,
                "pain": 0.25,
                "response_rate": 0.7,
            }
            for m in journey.moments
            if outcome is None or m.id != outcome.id
        },
    }


def check_truth(journey: Journey, truth: Any) -> dict[str, Any]:
    """Validate a truth against the journey; raise TruthError listing every problem."""
    problems = []
    if not isinstance(truth, dict) or not isinstance(truth.get("moments"), dict):
        raise TruthError("a truth is a mapping with `moments: {moment_id: {role: ...}}`")
    outcome = outcome_moment(journey)
    if outcome is None:
        problems.append("the journey has no lmot or loyalty moment to serve as the outcome")
    for moment_id, spec in truth["moments"].items():
        where = f"moments.{moment_id}"
        if journey.moment(moment_id) is None or (outcome and moment_id == outcome.id):
            problems.append(f"{where}: not a moment of {journey.id} (other than the outcome)")
            continue
        if not isinstance(spec, dict) or spec.get("role") not in ROLES:
            problems.append(f"{where}.role: one of {', '.join(ROLES)}")
            continue
        glory, pain = spec.get("glory", 0.5), spec.get("pain", 0.25)
        rate, incidence = spec.get("response_rate", 0.7), spec.get("incidence", 1.0)
        if not all(isinstance(x, int | float) for x in (glory, pain, rate, incidence)) or not (
            glory >= 0 and pain >= 0 and glory + pain <= 1 and 0 < rate <= 1 and 0 < incidence <= 1
        ):
            problems.append(
                f"{where}: glory + pain <= 1, 0 < response_rate <= 1 and 0 < incidence <= 1"
            )
    halo = truth.get("halo", DEFAULT_HALO)
    if not isinstance(halo, int | float) or isinstance(halo, bool) or not 0 <= halo < 1:
        problems.append("halo: a number from 0 (independent moments) to below 1")
    for name, low, high in (("base", 0, 10), ("noise", 0, 10)):
        value = truth.get(name, 7.5 if name == "base" else 1.0)
        if (
            not isinstance(value, int | float)
            or isinstance(value, bool)
            or not low <= value <= high
        ):
            problems.append(f"{name}: a number from {low} to {high} (the 0-10 scale)")
    if problems:
        raise TruthError("; ".join(problems))
    return truth


def run(
    db: Database,
    journey: Journey,
    *,
    customers: int,
    seed: int,
    truth: dict[str, Any] | None = None,
    phrases: Mapping[str, Mapping[str, list[str]]] | None = None,
) -> dict[str, Any]:
    """Fill the database with invitations and answers drawn from ``truth``; with
    ``phrases`` (language, then polarity: what customers write), some answers carry a
    comment, drawn apart so the answers stay those the seed always gives."""
    truth = check_truth(journey, truth or default_truth(journey))
    rows = draw(journey, customers=customers, seed=seed, truth=truth)
    if phrases:
        add_comments(rows, phrases, seed=seed)
    written = storage.insights.load_simulated(
        db,
        journey.id,
        rows,
        lambda row: scoring.tally_increments(row["survey"], row["answers"], row["polarity"]),
    )
    return {
        "journey": journey.id,
        "customers": customers,
        "responses": written,
        "seed": seed,
        "truth": truth,
    }


def draw(
    journey: Journey, *, customers: int, seed: int, truth: dict[str, Any]
) -> list[dict[str, Any]]:
    """The answers of ``customers`` simulated customers (a checked truth), in the order
    they are given: reproducible from the seed, nothing written."""
    rng = random.Random(seed)  # noqa: S311 # nosec B311 - a reproducible simulation
    outcome = outcome_moment(journey)
    outcome_survey = survey_for(journey, outcome)
    base, noise = float(truth.get("base", 7.5)), float(truth.get("noise", 1.0))
    halo = float(truth.get("halo", DEFAULT_HALO))
    shared, own = math.sqrt(halo), math.sqrt(1 - halo)
    to_uniform = NormalDist().cdf
    specs = truth["moments"]
    start = storage.utcnow() - timedelta(days=60)
    rows = []
    for number in range(customers):
        customer = f"SIM-{seed}-{number:07d}"
        locale = rng.choice(journey.locales)
        when = start + timedelta(minutes=rng.randrange(60 * 24 * 45))
        mood = rng.gauss(0, 1)
        score = base
        for moment in journey.moments:
            if moment.id == outcome.id:
                continue
            spec = specs.get(
                moment.id, {"role": "neutral", "glory": 0.5, "pain": 0.25, "response_rate": 0.7}
            )
            incidence = spec.get("incidence", DEFAULT_INCIDENCE.get(moment.kind, 1.0))
            if rng.random() >= incidence:
                continue  # this customer never lived the moment (had no problem, say)
            # Uniform for each moment alone, correlated across moments by the mood.
            u = to_uniform(shared * mood + own * rng.gauss(0, 1))
            glory, pain = spec.get("glory", 0.5), spec.get("pain", 0.25)
            if u < pain:
                lived = Polarity.NEGATIVE
            else:
                lived = Polarity.POSITIVE if u >= 1 - glory else Polarity.NEUTRAL
            glory_effect, pain_effect = EFFECTS[spec["role"]]
            score += {Polarity.POSITIVE: glory_effect, Polarity.NEGATIVE: pain_effect}.get(
                lived, 0.0
            )
            when += timedelta(hours=rng.uniform(1, 48))
            if rng.random() < spec.get("response_rate", 0.7):
                rows.append(_row(journey, moment, customer, locale, when, lived))
        recommend = max(0, min(10, round(score + rng.gauss(0, noise))))
        when += timedelta(hours=rng.uniform(1, 48))
        polarity = scoring.polarity_from_rating("nps", recommend)
        answers = (
            {outcome_survey.deciding.key: recommend}
            if outcome_survey.deciding.type == "nps"
            else {outcome_survey.deciding.key: polarity}
        )
        rows.append(
            {
                "moment_id": outcome.id,
                "customer": customer,
                "locale": locale,
                "created_at": when,
                "polarity": polarity,
                "answers": answers,
                "survey": outcome_survey,
            }
        )
    return rows


#: How often a simulated customer writes a comment, by how they lived the moment: pain
#: speaks up most.
COMMENT_SHARE = {Polarity.POSITIVE: 0.3, Polarity.NEUTRAL: 0.2, Polarity.NEGATIVE: 0.5}


def add_comments(
    rows: list[dict[str, Any]], phrases: Mapping[str, Mapping[str, list[str]]], *, seed: int
) -> None:
    """Give some drawn answers a comment in their customer's language, in their
    survey's free-text question, from ``phrases[locale][polarity]``."""
    rng = random.Random(f"comments-{seed}")  # noqa: S311 # nosec B311 - a simulation
    for row in rows:
        said = phrases.get(row["locale"], {}).get(row["polarity"])
        text = next((q for q in row["survey"].questions if q.type == "text"), None)
        if said and text and rng.random() < COMMENT_SHARE[row["polarity"]]:
            row["comment"] = row["answers"][text.key] = rng.choice(said)


def _row(journey, moment, customer, locale, when, lived) -> dict[str, Any]:
    survey = survey_for(journey, moment)
    deciding = survey.deciding
    if deciding.type == "polarity":
        answers = {deciding.key: lived}
    else:  # a rating that says the same glory, so-so or pain
        values = {"nps": (10, 8, 2), "csat": (5, 3, 1), "ces": (7, 4, 1)}[deciding.type]
        answers = {deciding.key: dict(zip(POLARITIES, values, strict=True))[lived]}
    return {
        "moment_id": moment.id,
        "customer": customer,
        "locale": locale,
        "created_at": when,
        "polarity": lived,
        "answers": answers,
        "survey": survey,
    }
