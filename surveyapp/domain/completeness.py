"""Which of a journey's texts fall back to its default language.

The format lets a moment's name or description (or a review link) be missing in a locale: customers
reading that locale then get the default locale's. That is allowed, but it must never
reach a customer unnoticed: ``journey check`` and ``journey load`` print a warning per
fallback (``--strict`` refuses them), the API's load reply lists them, and the admin's
journey list marks incomplete journeys."""

from __future__ import annotations

from dataclasses import dataclass

from surveyapp.domain.i18n import N_, Message, message
from surveyapp.domain.journeys import Journey


@dataclass(frozen=True)
class Fallback:
    """A text a reader of ``locale`` gets in ``shown`` instead: ``text``."""

    path: str
    locale: str
    shown: str
    text: str = ""

    def __str__(self) -> str:
        return f'{self.path}: no "{self.locale}" text; its readers get the "{self.shown}" one'

    def message(self) -> Message:
        """The warning as the admin pages say it, in the reader's language."""
        return message(
            N_("%(path)s: no %(locale)s text; customers reading %(locale)s get the %(shown)s one"),
            path=self.path,
            locale=self.locale,
            shown=self.shown,
        )

    def instead(self) -> Message:
        """What its readers will read instead, said beside the empty field."""
        return message(
            N_("Customers who read this language will read “%(text)s” instead."),
            text=self.text,
        )

    def reads(self) -> Message:
        """What its readers will read instead, as the admin pages say it."""
        return message(
            N_("%(path)s: customers reading %(locale)s will read “%(text)s” (%(shown)s)"),
            path=self.path,
            locale=self.locale,
            text=self.text,
            shown=self.shown,
        )


def fallbacks(journey: Journey) -> list[Fallback]:
    """Every text of ``journey`` missing in one of its locales, in definition order."""
    found = []
    others = [locale for locale in journey.locales if locale != journey.default_locale]
    for i, moment in enumerate(journey.moments):
        for key, texts in (("name", moment.name), ("description", moment.description)):
            if journey.default_locale not in texts:
                continue  # no description at all: nothing falls back
            for locale in others:
                if not texts.get(locale):
                    shown = texts[journey.default_locale]
                    path = f"moments[{i}].{key}"
                    found.append(Fallback(path, locale, journey.default_locale, shown))
    links = dict(journey.after_answer.review_links) if journey.after_answer else {}
    if journey.default_locale in links:  # else there is nothing to fall back to
        for locale in others:
            if locale not in links:
                path = f"after_answer.review_links.{locale}"
                found.append(
                    Fallback(path, locale, journey.default_locale, links[journey.default_locale])
                )
    return found


def text_count(journey: Journey) -> int:
    """How many texts each of the journey's languages should have: every moment's name,
    each description and the review link where the default language has one."""
    links = dict(journey.after_answer.review_links) if journey.after_answer else {}
    descriptions = sum(journey.default_locale in m.description for m in journey.moments)
    return len(journey.moments) + descriptions + (journey.default_locale in links)
