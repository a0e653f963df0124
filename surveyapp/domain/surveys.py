"""Survey generation: from a moment of a journey to its short survey.

The questions come from the kind's blueprint (:mod:`surveyapp.domain.blueprints`) or the
moment's own list. A survey has at most three questions and exactly one that decides
whether the moment was lived as glory or pain.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from cachetools import LRUCache, cached

from surveyapp.domain.blueprints import find_question, load_blueprints
from surveyapp.domain.branding import Branding
from surveyapp.domain.i18n import N_, translate
from surveyapp.domain.journeys import Journey, Moment
from surveyapp.domain.vocabulary import CHOICES, DECIDING_TYPES, SCALE_ENDS

OPTIONAL = N_("optional")
YOUR_ANSWER = N_("your answer")


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
    moment_descriptions: dict[str, str]
    default_locale: str
    locales: tuple[str, ...]
    questions: tuple[SurveyQuestion, ...]
    branding: Branding | None = None  # the journey's accent colour and logo

    @property
    def deciding(self) -> SurveyQuestion:
        return next(q for q in self.questions if q.deciding)

    def moment_name(self, locale: str) -> str:
        return self.moment_names.get(locale) or self.moment_names[self.default_locale]

    def moment_description(self, locale: str) -> str:
        """The line under the survey's title in ``locale`` ("" when the moment has none)."""
        texts = self.moment_descriptions
        return texts.get(locale) or texts.get(self.default_locale, "")

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


@cached(
    LRUCache(maxsize=4096),  # per worker, by definition digest and moment
    key=lambda journey, moment: (journey.digest, repr(moment)),
    lock=threading.Lock(),  # cachetools' caches are not thread-safe by themselves
)
def survey_for(journey: Journey, moment: Moment) -> Survey:
    """The survey of ``moment``: its override, or its kind's blueprint (cached)."""
    return _generate(journey, moment)


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
        moment_descriptions=dict(moment.description),
        default_locale=journey.default_locale,
        locales=journey.locales,
        branding=journey.branding,
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
