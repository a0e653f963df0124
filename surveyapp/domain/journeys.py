"""Journeys: a company's moments of truth, as its definition declares them, and the
checks a definition must pass.

:func:`validate` turns parsed data into a :class:`Journey`, or raises
:class:`~surveyapp.domain.problems.DefinitionError` carrying every problem. Reading the
files themselves (YAML or JSON) is :mod:`surveyapp.domain.definitions`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from surveyapp.domain import blueprints, branding, next_steps
from surveyapp.domain.branding import Branding
from surveyapp.domain.i18n import N_
from surveyapp.domain.next_steps import AfterAnswer
from surveyapp.domain.problems import DefinitionError, Problem, problem, unknown_fields
from surveyapp.domain.text import has_control_characters
from surveyapp.domain.vocabulary import KINDS, LOCALES, MOMENT_CHANNELS

MAX_MOMENTS = 50
MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 300
MAX_BRAND_LENGTH = 100
SLUG = re.compile(r"[a-z0-9-]{1,64}")
TOP_FIELDS = ("id", "brand", "default_locale", "locales", "moments")
OPTIONAL_FIELDS = ("after_answer", "branding")
MOMENT_FIELDS = ("id", "kind", "name", "description", "channel", "questions", "outcome")


@dataclass(frozen=True)
class Moment:
    """One moment of truth of a journey, as the company declared it."""

    id: str
    kind: str
    name: dict[str, str]
    channel: str = "other"
    questions: tuple[str, ...] | None = None
    # A line under the survey's title, per locale (none: the survey has none).
    description: dict[str, str] = field(default_factory=dict)
    # What the insights measure the other moments against (NPS, renewal…); never a
    # predictor of another outcome. None set in a journey: its last lmot or loyalty moment.
    outcome: bool = False

    def display_name(self, locale: str, default_locale: str) -> str:
        """The moment's name in ``locale``, falling back to the journey's default."""
        return self.name.get(locale) or self.name[default_locale]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "name": dict(self.name),
            "channel": self.channel,
        }
        if self.description:  # only when set: digests of journeys without one stay
            data["description"] = dict(self.description)
        if self.questions is not None:
            data["questions"] = list(self.questions)
        if self.outcome:  # only when set: digests of journeys without one stay
            data["outcome"] = True
        return data


@dataclass(frozen=True)
class Journey:
    """A validated journey definition."""

    id: str
    brand: str
    default_locale: str
    locales: tuple[str, ...]
    moments: tuple[Moment, ...] = field(default_factory=tuple)
    after_answer: AfterAnswer | None = None  # what customers are offered after answering
    branding: Branding | None = None  # accent colour and logo

    def moment(self, moment_id: str) -> Moment | None:
        return next((m for m in self.moments if m.id == moment_id), None)

    def to_dict(self) -> dict[str, Any]:
        """The canonical form stored in the database and compared on reload."""
        return {
            "id": self.id,
            "brand": self.brand,
            "default_locale": self.default_locale,
            "locales": list(self.locales),
            "moments": [m.to_dict() for m in self.moments],
            # Only when set: the digests of journeys without it stay as they were.
            **({"after_answer": self.after_answer.to_dict()} if self.after_answer else {}),
            **({"branding": self.branding.to_dict()} if self.branding else {}),
        }

    @functools.cached_property
    def digest(self) -> str:
        """A fingerprint of the canonical form: equal digests, same definition."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Journey:
        """Rebuild a journey from its canonical form (trusted: it was validated)."""
        return cls(
            id=data["id"],
            brand=data["brand"],
            default_locale=data["default_locale"],
            locales=tuple(data["locales"]),
            moments=tuple(
                Moment(
                    id=m["id"],
                    kind=m["kind"],
                    name=dict(m["name"]),
                    channel=m.get("channel", "other"),
                    questions=tuple(m["questions"]) if m.get("questions") is not None else None,
                    description=dict(m.get("description", {})),
                    outcome=bool(m.get("outcome", False)),
                )
                for m in data["moments"]
            ),
            after_answer=AfterAnswer.from_dict(data["after_answer"])
            if "after_answer" in data
            else None,
            branding=Branding.from_dict(data["branding"]) if "branding" in data else None,
        )


def _is_slug(value: Any) -> bool:
    return isinstance(value, str) and SLUG.fullmatch(value) is not None


REQUIRED = N_("is required")
NOT_A_SLUG = N_("%(value)s is not a slug (1 to 64 of a-z, 0-9 and -)")
NOT_A_TEXT = N_("must be a non-empty text")
TOO_LONG = N_("is longer than %(max)s characters")
CONTROL = N_("must not contain line breaks, tabs or other control characters")
NOT_A_LOCALE = N_("%(value)s is not a supported locale (%(locales)s)")


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def validate(data: Any, base: Path | None = None) -> Journey:
    """Check parsed data against the journey format; raise DefinitionError if wrong.
    ``base`` is the folder of the definition's file, where a logo file may be."""
    problems: list[Problem] = []
    add = lambda path, text, **values: problems.append(problem(path, text, **values))  # noqa: E731

    if not isinstance(data, dict):
        raise DefinitionError(
            [
                problem(
                    "",
                    N_(
                        "a definition must be a mapping with id, brand, default_locale, "
                        "locales and moments"
                    ),
                )
            ]
        )
    unknown_fields(data, TOP_FIELDS + OPTIONAL_FIELDS, "", problems)
    for key in TOP_FIELDS:
        if key not in data:
            add(key, REQUIRED)

    journey_id = data.get("id")
    if "id" in data and not _is_slug(journey_id):
        add("id", NOT_A_SLUG, value=_describe(journey_id))

    brand = data.get("brand")
    if "brand" in data:
        if not isinstance(brand, str) or not brand.strip():
            add("brand", NOT_A_TEXT)
        elif len(brand) > MAX_BRAND_LENGTH:
            add("brand", TOO_LONG, max=MAX_BRAND_LENGTH)
        elif has_control_characters(brand):
            add("brand", CONTROL)

    locales = data.get("locales")
    valid_locales: list[str] = []
    if "locales" in data:
        if not isinstance(locales, list) or not locales:
            add("locales", N_("must be a non-empty list of locales (fr, ro, en)"))
        else:
            for i, loc in enumerate(locales):
                if loc not in LOCALES:
                    add(
                        f"locales[{i}]",
                        NOT_A_LOCALE,
                        value=_describe(loc),
                        locales=", ".join(LOCALES),
                    )
                elif loc in valid_locales:
                    add(f"locales[{i}]", N_("%(value)s is listed twice"), value=_describe(loc))
                else:
                    valid_locales.append(loc)

    default_locale = data.get("default_locale")
    if "default_locale" in data:
        if default_locale not in LOCALES:
            add(
                "default_locale",
                NOT_A_LOCALE,
                value=_describe(default_locale),
                locales=", ".join(LOCALES),
            )
        elif isinstance(locales, list) and default_locale not in locales:
            add(
                "default_locale",
                N_("%(value)s is not one of locales"),
                value=_describe(default_locale),
            )

    moments_data = data.get("moments")
    moments: list[Moment] = []
    if "moments" in data:
        if not isinstance(moments_data, list) or not moments_data:
            add("moments", N_("must be a list of 1 to 50 moments"))
        elif len(moments_data) > MAX_MOMENTS:
            add(
                "moments",
                N_("has %(count)s moments; a journey may have at most %(max)s"),
                count=len(moments_data),
                max=MAX_MOMENTS,
            )
        else:
            seen: set[str] = set()
            for i, raw in enumerate(moments_data):
                moment = _validate_moment(
                    raw, f"moments[{i}]", valid_locales, default_locale, seen, problems
                )
                if moment is not None:
                    moments.append(moment)

    after_answer = None
    if "after_answer" in data:
        after_answer = next_steps.validate(data["after_answer"], valid_locales, problems)
        if after_answer is not None and not after_answer.to_dict():
            after_answer = None  # an empty mapping offers nothing

    branding_found = None
    if "branding" in data:
        branding_found = branding.validate(data["branding"], base, problems)
        if branding_found is not None and not branding_found.to_dict():
            branding_found = None

    if problems:
        raise DefinitionError(problems)
    return Journey(
        id=journey_id,
        brand=brand.strip(),
        default_locale=default_locale,
        locales=tuple(valid_locales),
        moments=tuple(moments),
        after_answer=after_answer,
        branding=branding_found,
    )


def _validate_moment(raw, path, locales, default_locale, seen, problems) -> Moment | None:
    add = lambda where, text, **values: problems.append(problem(where, text, **values))  # noqa: E731
    if not isinstance(raw, dict):
        add(path, N_("must be a mapping with id, kind and name"))
        return None
    before = len(problems)
    unknown_fields(raw, MOMENT_FIELDS, path, problems)
    for key in ("id", "kind", "name"):
        if key not in raw:
            add(f"{path}.{key}", REQUIRED)

    moment_id = raw.get("id")
    if "id" in raw:
        if not _is_slug(moment_id):
            add(f"{path}.id", NOT_A_SLUG, value=_describe(moment_id))
        elif moment_id in seen:
            add(f"{path}.id", N_("%(value)s is used twice"), value=_describe(moment_id))
        else:
            seen.add(moment_id)

    kind = raw.get("kind")
    if "kind" in raw and kind not in KINDS:
        add(
            f"{path}.kind",
            N_("%(value)s is not a kind of moment (%(kinds)s)"),
            value=_describe(kind),
            kinds=", ".join(KINDS),
        )

    names = _localized(
        raw,
        "name",
        path,
        locales,
        default_locale,
        MAX_NAME_LENGTH,
        problems,
        N_("needs a name in the default locale %(value)s"),
    )
    description = _localized(
        raw,
        "description",
        path,
        locales,
        default_locale,
        MAX_DESCRIPTION_LENGTH,
        problems,
        N_("needs a description in the default locale %(value)s"),
    )

    channel = raw.get("channel", "other")
    if channel not in MOMENT_CHANNELS:
        add(
            f"{path}.channel",
            N_("%(value)s is not a channel (%(channels)s)"),
            value=_describe(channel),
            channels=", ".join(MOMENT_CHANNELS),
        )

    outcome = raw.get("outcome", False)
    if not isinstance(outcome, bool):
        add(f"{path}.outcome", N_("must be true or false"))

    questions = raw.get("questions")
    if questions is not None:
        if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
            add(f"{path}.questions", N_("must be a list of question keys"))
        else:
            for why in blueprints.check_question_list(questions):
                problems.append(Problem(f"{path}.questions", why))

    if len(problems) != before:
        return None
    return Moment(
        id=moment_id,
        kind=kind,
        name=names,
        channel=channel,
        questions=tuple(questions) if questions is not None else None,
        description=description,
        outcome=outcome,
    )


def _localized(raw, key, path, locales, default_locale, max_length, problems, needs_default):
    """A moment's text in each locale (``raw[key]``): one text for every locale, or a
    mapping locale → text that must give ``default_locale``'s; {} when absent."""
    add = lambda where, text, **values: problems.append(problem(where, text, **values))  # noqa: E731
    if key not in raw:
        return {}
    value, where = raw[key], f"{path}.{key}"
    texts: dict[str, str] = {}
    if isinstance(value, str):
        if not value.strip():
            add(where, N_("must not be empty"))
        elif len(value) > max_length:
            add(where, TOO_LONG, max=max_length)
        elif has_control_characters(value):
            add(where, CONTROL)
        return {loc: value.strip() for loc in locales}
    if not isinstance(value, dict) or not value:
        add(where, N_("must be a text, or a mapping of locale to text"))
        return {}
    for loc, text in value.items():
        if loc not in locales:
            add(f"{where}.{loc}", N_("is not one of the journey's locales"))
        elif not isinstance(text, str) or not text.strip():
            add(f"{where}.{loc}", NOT_A_TEXT)
        elif len(text) > max_length:
            add(f"{where}.{loc}", TOO_LONG, max=max_length)
        elif has_control_characters(text):
            add(f"{where}.{loc}", CONTROL)
        else:
            texts[loc] = text.strip()
    if default_locale in locales and default_locale not in value:
        add(where, needs_default, value=_describe(default_locale))
    return texts
