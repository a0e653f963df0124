"""What a customer is offered after answering: to share a good experience where other
customers read reviews (their zero moment of truth), or, after a bad one, to be
contacted. A journey's ``after_answer`` says which (docs/journeys.md); this module
validates it and says what a given answer is offered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from surveyapp.domain.i18n import N_
from surveyapp.domain.problems import Problem, problem, unknown_fields
from surveyapp.domain.text import has_control_characters
from surveyapp.domain.vocabulary import Polarity

FIELDS = ("review_links", "contact_offer")
MAX_URL = 500


@dataclass(frozen=True)
class AfterAnswer:
    """A journey's offers after an answer."""

    review_links: tuple[tuple[str, str], ...] = ()  # (locale, address), in locale order
    contact_offer: bool = False

    def review_link(self, locale: str, default_locale: str) -> str | None:
        """Where a happy customer reading ``locale`` may leave a review."""
        links = dict(self.review_links)
        return links.get(locale) or links.get(default_locale)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.review_links:
            data["review_links"] = dict(self.review_links)
        if self.contact_offer:
            data["contact_offer"] = True
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AfterAnswer:
        return cls(tuple(data.get("review_links", {}).items()), bool(data.get("contact_offer")))


def offers(after: AfterAnswer | None, polarity: str, locale: str, default_locale: str) -> dict:
    """What an answer of ``polarity`` is offered: ``{"review": address}`` for a good one
    when the journey has a review page, ``{"contact": True}`` for a bad one when it offers
    contact; empty otherwise."""
    if after is None:
        return {}
    if polarity == Polarity.POSITIVE:
        link = after.review_link(locale, default_locale)
        return {"review": link} if link else {}
    if polarity == Polarity.NEGATIVE and after.contact_offer:
        return {"contact": True}
    return {}


def offer_counts(offered: dict) -> dict[str, int]:
    """The tally increments of what an answer was offered."""
    return {
        "review_offered": int("review" in offered),
        "contact_offered": int("contact" in offered),
    }


def validate(raw: Any, locales: list[str], problems: list[Problem]) -> AfterAnswer | None:
    """Check a definition's ``after_answer``; add a problem per mistake."""
    add = lambda where, text, **values: problems.append(problem(where, text, **values))  # noqa: E731
    if not isinstance(raw, dict):
        add("after_answer", N_("must be a mapping with review_links and/or contact_offer"))
        return None
    before = len(problems)
    unknown_fields(raw, FIELDS, "after_answer", problems)
    links = raw.get("review_links", {})
    kept: list[tuple[str, str]] = []
    if not isinstance(links, dict):
        add("after_answer.review_links", N_("must map locales to web addresses"))
    else:
        for locale, address in links.items():
            where = f"after_answer.review_links.{locale}"
            if locale not in locales:
                add(where, N_("%(value)s is not one of locales"), value=repr(locale))
            elif not _is_web_address(address):
                add(
                    where,
                    N_("must be a secure web address (https, %(max)s characters at most)"),
                    max=MAX_URL,
                )
            else:
                kept.append((locale, address))
    contact = raw.get("contact_offer", False)
    if not isinstance(contact, bool):
        add("after_answer.contact_offer", N_("must be true or false"))
    if len(problems) > before:
        return None
    kept.sort(key=lambda item: locales.index(item[0]))
    return AfterAnswer(tuple(kept), contact)


def _is_web_address(value: Any) -> bool:
    if not isinstance(value, str) or len(value) > MAX_URL or has_control_characters(value):
        return False
    parts = urlsplit(value)
    return parts.scheme == "https" and bool(parts.netloc) and " " not in value
