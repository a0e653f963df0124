"""Survey generation: from a moment of a journey to its short survey.

The questions come from the per-kind blueprints in ``survey_templates/``
(see the README there). A survey has at most three questions and exactly
one that decides whether the moment was lived as glory or pain.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from surveyapp.i18n import N_, Message, message, translate

if TYPE_CHECKING:
    from surveyapp.journeys import Journey, Moment

BLUEPRINTS_DIR = Path(__file__).resolve().parent.parent / "survey_templates"
KIND_ORDER = ("zmot", "fmot", "smot", "amot", "lmot", "recovery", "loyalty", "touchpoint")
MAX_QUESTIONS = 3
MAX_TEXT_ANSWER = 2000
POLARITIES = ("positive", "neutral", "negative")

#: Question types that can decide a response's polarity, in order of precedence.
DECIDING_TYPES = ("polarity", "nps", "csat", "ces")
QUESTION_TYPES = ("polarity", "csat", "ces", "nps", "yesno", "text")

#: The choices of each closed question type: (posted value, label message id).
CHOICES: dict[str, tuple[tuple[str, str], ...]] = {
    "polarity": (
        ("positive", N_("Well")),
        ("neutral", N_("So-so")),
        ("negative", N_("Badly")),
    ),
    "yesno": (("yes", N_("Yes")), ("no", N_("No"))),
    "csat": (
        ("1", N_("Very dissatisfied")),
        ("2", N_("Dissatisfied")),
        ("3", N_("Neither satisfied nor dissatisfied")),
        ("4", N_("Satisfied")),
        ("5", N_("Very satisfied")),
    ),
    "ces": tuple((str(n), "") for n in range(1, 8)),
    "nps": tuple((str(n), "") for n in range(0, 11)),
}
#: What the two ends of a numeric scale mean, shown beside it.
SCALE_ENDS: dict[str, tuple[str, str]] = {
    "ces": (N_("1 = very difficult"), N_("7 = very easy")),
    "nps": (N_("0 = not at all likely"), N_("10 = extremely likely")),
}
OPTIONAL = N_("optional")
YOUR_ANSWER = N_("your answer")
RANGES = {"csat": (1, 5), "ces": (1, 7), "nps": (0, 10)}
#: How each kind of moment is named to CX managers.
KIND_LABELS = {
    "zmot": N_("ZMOT: searching before buying"),
    "fmot": N_("FMOT: first sight"),
    "smot": N_("SMOT: using it"),
    "amot": N_("AMOT: purchase to receipt"),
    "lmot": N_("LMOT: feedback and recommendation"),
    "recovery": N_("Problem resolution"),
    "loyalty": N_("Loyalty"),
    "touchpoint": N_("Touchpoint"),
}


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


@dataclass(frozen=True)
class SurveyQuestion:
    """A question as one survey asks it."""

    key: str
    type: str
    text: str
    required: bool
    deciding: bool

    def choices(self, locale: str) -> list[tuple[str, str]]:
        """(value, label) pairs in ``locale``; empty for a text question."""
        return [
            (value, translate(locale, label) if label else value)
            for value, label in CHOICES.get(self.type, ())
        ]

    def scale_ends(self, locale: str) -> tuple[str, str] | None:
        ends = SCALE_ENDS.get(self.type)
        return (translate(locale, ends[0]), translate(locale, ends[1])) if ends else None


@dataclass(frozen=True, eq=False)
class Survey:
    """The short survey of one moment of one journey.

    Compared and hashed by identity: surveys are cached, and caches of what is built
    from a survey (its form class) key on the object itself.
    """

    journey_id: str
    moment_id: str
    kind: str
    brand: str
    moment_names: dict[str, str]
    default_locale: str
    locales: tuple[str, ...]
    questions: tuple[SurveyQuestion, ...]

    @property
    def deciding(self) -> SurveyQuestion:
        return next(q for q in self.questions if q.deciding)

    def moment_name(self, locale: str) -> str:
        return self.moment_names.get(locale) or self.moment_names[self.default_locale]

    def question_text(self, question: SurveyQuestion, locale: str) -> str:
        """The question as the customer reads it, placeholders filled."""
        return translate(locale, question.text, moment=self.moment_name(locale), brand=self.brand)

    def readable_answers(self, answers: dict, locale: str) -> list[tuple[str, str]]:
        """(question, answer) as a reader of ``locale`` says them; keys this survey no
        longer asks (an older definition) are shown as they were stored."""
        readable = []
        for key, value in answers.items():
            question = next((q for q in self.questions if q.key == key), None)
            if question is None:
                readable.append((key, str(value)))
                continue
            labels = dict(question.choices(locale))
            readable.append(
                (self.question_text(question, locale), labels.get(str(value), str(value)))
            )
        return readable

    def asks(self, question_type: str) -> bool:
        return any(q.type == question_type for q in self.questions)


class BlueprintError(ValueError):
    """A file in survey_templates/ is wrong: a bug of ours, caught by the tests."""


@functools.cache
def load_blueprints(directory: Path = BLUEPRINTS_DIR) -> dict[str, Blueprint]:
    """Read every ``KIND.yaml`` blueprint; checked so a typo fails loudly at start."""
    blueprints: dict[str, Blueprint] = {}
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        kind = data.get("kind")
        if kind not in KIND_ORDER or path.stem != kind:
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
    missing = set(KIND_ORDER) - set(blueprints)
    if missing:
        raise BlueprintError(f"no blueprint for {', '.join(sorted(missing))}")
    for kind in KIND_ORDER:
        problems = check_question_list(list(blueprints[kind].ask), blueprints)
        if problems:
            raise BlueprintError(f"{kind}.yaml: {'; '.join(map(str, problems))}")
    return blueprints


def find_question(key: str, kind: str, blueprints: dict[str, Blueprint] | None = None):
    """The question ``key``, from the kind's own blueprint first, then the others in order."""
    blueprints = blueprints if blueprints is not None else load_blueprints()
    for candidate in (kind, *KIND_ORDER):
        found = blueprints[candidate].question(key) if candidate in blueprints else None
        if found is not None:
            return found
    return None


def known_keys(blueprints: dict[str, Blueprint] | None = None) -> list[str]:
    blueprints = blueprints if blueprints is not None else load_blueprints()
    keys: list[str] = []
    for kind in KIND_ORDER:
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
        question = find_question(key, KIND_ORDER[0], blueprints)
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


_generated: dict[tuple[str, str], Survey] = {}


def survey_for(journey: Journey, moment: Moment) -> Survey:
    """The survey of ``moment``: its override, or its kind's blueprint (cached)."""
    key = (journey.digest, repr(moment))
    survey = _generated.get(key)
    if survey is None:
        if len(_generated) > 4096:
            _generated.clear()
        survey = _generated[key] = _generate(journey, moment)
    return survey


def _generate(journey: Journey, moment: Moment) -> Survey:
    blueprints = load_blueprints()
    keys = moment.questions or blueprints[moment.kind].ask
    questions = [find_question(key, moment.kind, blueprints) for key in keys]
    types = [q.type for q in questions]
    deciding_type = next(t for t in DECIDING_TYPES if t in types)
    deciding_index = types.index(deciding_type)
    return Survey(
        journey_id=journey.id,
        moment_id=moment.id,
        kind=moment.kind,
        brand=journey.brand,
        moment_names=dict(moment.name),
        default_locale=journey.default_locale,
        locales=journey.locales,
        questions=tuple(
            SurveyQuestion(
                key=q.key,
                type=q.type,
                text=q.text,
                required=i == deciding_index,
                deciding=i == deciding_index,
            )
            for i, q in enumerate(questions)
        ),
    )


def render_text(survey: Survey, locale: str) -> str:
    """The survey as plain text, as the customer reads it (for ``surveyapp survey show``)."""
    lines = [f"{survey.brand} — {survey.moment_name(locale)}", ""]
    for number, question in enumerate(survey.questions, start=1):
        optional = "" if question.required else f" ({translate(locale, OPTIONAL)})"
        lines.append(f"{number}. {survey.question_text(question, locale)}{optional}")
        ends = question.scale_ends(locale)
        if question.type in ("nps", "ces"):
            values = [value for value, _ in question.choices(locale)]
            lines.append(f"   [{' '.join(values)}]  {ends[0]} · {ends[1]}")
        elif question.type == "text":
            lines.append(f"   [{translate(locale, YOUR_ANSWER)}]")
        else:
            for value, label in question.choices(locale):
                lines.append(f"   ( ) {label}" + (f"  [{value}]" if value.isdigit() else ""))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
