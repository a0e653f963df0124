"""Blueprints: the questions each kind of moment may ask, read from ``survey_templates/``.

One ``KIND.yaml`` per kind of moment (see the README there): its questions and those it
asks by default. :func:`check_question_list` is the rule every survey obeys, a
blueprint's or a journey's override: at most three questions, exactly one deciding.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

from surveyapp.domain.i18n import N_, Message, message
from surveyapp.domain.resources import BLUEPRINTS_DIR
from surveyapp.domain.vocabulary import DECIDING_TYPES, KINDS, MAX_QUESTIONS, QUESTION_TYPES


@dataclass(frozen=True)
class Question:
    """One question of a blueprint: ``text`` is its English message id."""

    key: str
    type: str
    text: str


@dataclass(frozen=True)
class Blueprint:
    """The questions a kind of moment may ask, and those it asks by default."""

    kind: str
    questions: tuple[Question, ...]
    ask: tuple[str, ...]

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)


class BlueprintError(ValueError):
    """A file in survey_templates/ is wrong: a bug of ours, caught by the tests."""


@functools.cache
def load_blueprints(directory: Path = BLUEPRINTS_DIR) -> dict[str, Blueprint]:
    """Read every ``KIND.yaml`` blueprint; checked so a typo fails loudly at start."""
    blueprints: dict[str, Blueprint] = {}
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        kind = data.get("kind")
        if kind not in KINDS or path.stem != kind:
            raise BlueprintError(f"{path.name}: kind {kind!r} does not match a kind of moment")
        questions = []
        for raw in data.get("questions", []):
            if raw.get("type") not in QUESTION_TYPES or not raw.get("key") or not raw.get("text"):
                raise BlueprintError(f"{path.name}: question {raw!r} needs key, type and text")
            questions.append(Question(raw["key"], raw["type"], raw["text"]))
        ask = tuple(data.get("ask") or (q.key for q in questions))
        blueprint = Blueprint(kind, tuple(questions), ask)
        for key in ask:
            if blueprint.question(key) is None:
                raise BlueprintError(f"{path.name}: asks {key!r}, which it does not define")
        blueprints[kind] = blueprint
    missing = set(KINDS) - set(blueprints)
    if missing:
        raise BlueprintError(f"no blueprint for {', '.join(sorted(missing))}")
    for kind in KINDS:
        problems = check_question_list(list(blueprints[kind].ask), blueprints)
        if problems:
            raise BlueprintError(f"{kind}.yaml: {'; '.join(map(str, problems))}")
    return blueprints


def find_question(key: str, kind: str, blueprints: dict[str, Blueprint] | None = None):
    """The question ``key``, from the kind's own blueprint first, then the others in order."""
    blueprints = blueprints if blueprints is not None else load_blueprints()
    for candidate in (kind, *KINDS):
        found = blueprints[candidate].question(key) if candidate in blueprints else None
        if found is not None:
            return found
    return None


def known_keys(blueprints: dict[str, Blueprint] | None = None) -> list[str]:
    blueprints = blueprints if blueprints is not None else load_blueprints()
    keys: list[str] = []
    for kind in KINDS:
        for question in blueprints[kind].questions:
            if question.key not in keys:
                keys.append(question.key)
    return keys


def check_question_list(keys: list[str], blueprints: dict[str, Blueprint] | None = None):
    """Reasons (:class:`~surveyapp.i18n.Message`) why ``keys`` cannot be a survey's
    question list (empty when it can)."""
    blueprints = blueprints if blueprints is not None else load_blueprints()
    problems: list[Message] = []
    if not keys:
        return [message(N_("must name at least one question"))]
    if len(keys) > MAX_QUESTIONS:
        problems.append(
            message(
                N_(
                    "has %(count)s questions; a survey asks at most %(max)s "
                    "so that it takes under 30 seconds"
                ),
                count=len(keys),
                max=MAX_QUESTIONS,
            )
        )
    types = []
    for key in keys:
        question = find_question(key, KINDS[0], blueprints)
        if question is None:
            problems.append(
                message(
                    N_("%(value)s is not a question of survey_templates/ (known: %(known)s)"),
                    value=repr(key),
                    known=", ".join(known_keys(blueprints)),
                )
            )
        else:
            types.append(question.type)
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        problems.append(message(N_("asks %(keys)s twice"), keys=", ".join(duplicates)))
    if types and not any(t in DECIDING_TYPES for t in types):
        problems.append(
            message(
                N_(
                    "needs one question that tells glory from pain "
                    "(a polarity, nps, csat or ces question)"
                )
            )
        )
    if types.count("polarity") > 1:
        problems.append(message(N_("asks more than one polarity question; exactly one may decide")))
    return problems
