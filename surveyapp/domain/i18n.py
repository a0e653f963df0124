"""Translations and locale-aware formatting, with Babel and no Flask.

The web layer, the CLI and (later) emails all translate through
:func:`translations_for`, so a survey reads the same wherever it is shown.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

import yaml
from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton, format_timedelta
from babel.lists import format_list
from babel.numbers import format_decimal, format_percent
from babel.support import LazyProxy, NullTranslations, Translations
from babel.units import format_unit

from surveyapp.domain.resources import TRANSLATIONS_DIR
from surveyapp.domain.vocabulary import LANGUAGE_NAMES, LANGUAGE_NAMES_IN, SOURCE_LOCALE
from surveyapp.domain.vocabulary import N_ as N_  # re-exported: every module marks with it

DOMAIN = "messages"


@functools.cache
def translations_for(locale: str) -> NullTranslations:
    """The compiled catalog of ``locale`` (English: the message ids themselves)."""
    if locale == SOURCE_LOCALE:
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS_DIR), [locale], DOMAIN)


def translate(locale: str, message: str, /, **variables: Any) -> str:
    """Translate ``message`` into ``locale`` and fill its ``%(name)s`` placeholders."""
    text = translations_for(locale).ugettext(message)
    return text % variables if variables else text


def plural_text(locale: str, singular: str, plural: str, n: int, /) -> str:
    """A message that depends on a count, in the locale's plural form, its count written
    as the locale writes numbers in a sentence as in a table (fr ``20 000 liens``, ro
    ``20.000 de linkuri``); its other placeholders are left to fill. The templates'
    ``ngettext`` and :func:`translate_plural` both go through it."""
    text = translations_for(locale).ungettext(singular, plural, n)
    count = number(n, locale, 0) if isinstance(n, int) else str(n)
    return text.replace("%(num)s", count).replace("%(num)d", count)


def translate_plural(locale: str, singular: str, plural: str, n: int, /, **variables: Any) -> str:
    """Translate a message that depends on a count, with the locale's plural forms."""
    return plural_text(locale, singular, plural, n) % variables


@dataclass(frozen=True)
class Message:
    """A message kept to be shown later in its reader's language: the id (English, with
    ``%(name)s`` placeholders, numbers too) and its values, which may be messages too.
    ``str()`` is the English text."""

    id: str
    values: tuple[tuple[str, Any], ...] = ()

    def __str__(self) -> str:
        return self.text(SOURCE_LOCALE)

    def text(self, locale: str) -> str:
        """The message in ``locale``; numbers written as its readers write them."""
        values = {k: _shown(v, locale) for k, v in self.values}
        return translate(locale, self.id, **values)

    def stored(self) -> str:
        """The message as kept in a text column (JSON), for :func:`stored_text` to say
        later in its reader's language; its values are text, numbers and messages."""
        return json.dumps(self._as_data(), ensure_ascii=False)

    def _as_data(self) -> dict[str, Any]:
        values = {k: v._as_data() if isinstance(v, Message) else v for k, v in self.values}
        return {"message": self.id, "values": values}


def _from_data(data: dict[str, Any]) -> Message:
    values = {
        k: _from_data(v) if isinstance(v, dict) else v for k, v in dict(data["values"]).items()
    }
    return message(str(data["message"]), **values)


def stored_text(kept: str | None, locale: str) -> str | None:
    """A message kept by :meth:`Message.stored`, in ``locale``; text kept as plain text
    (before messages were kept) as it is."""
    if not kept or not kept.startswith('{"message"'):
        return kept
    try:
        return _from_data(json.loads(kept)).text(locale)
    except (ValueError, KeyError, TypeError):
        return kept


def _shown(value: Any, locale: str) -> Any:
    if isinstance(value, Message):
        return value.text(locale)
    if isinstance(value, int) and not isinstance(value, bool):
        return number(value, locale)
    if isinstance(value, float):  # at most one decimal, none when whole (fr 1,9; 4,5; 60)
        return format_decimal(value, format="#,##0.#", locale=locale)
    return value


def message(id: str, /, **values: Any) -> Message:
    """A :class:`Message`; mark ``id`` with ``N_`` so that it is extracted."""
    return Message(id, tuple(values.items()))


_current_locale: Callable[[], str] = lambda: "en"  # noqa: E731 - replaced by the web layer


def use_locale_from(getter: Callable[[], str]) -> None:
    """Tell lazy strings where the current reader's locale comes from (the request)."""
    global _current_locale
    _current_locale = getter


def lazy_translate(message: str) -> LazyProxy:
    """A message translated each time it is shown, in the reader's locale (form labels).

    Not cached: the same form class serves readers of every language.
    """
    return LazyProxy(lambda: translate(_current_locale(), message), enable_cache=False)


def language_in(locale: str, reader: str) -> str:
    """A language as a reader of ``reader`` names it inside a sentence (fr ``roumain``,
    ro ``română``, en ``Romanian``), where its own name (``Română``) would read wrong."""
    if locale in LANGUAGE_NAMES_IN.get(reader, {}):
        return LANGUAGE_NAMES_IN[reader][locale]
    return Locale.parse(locale).get_display_name(reader) or locale


def language_name(locale: str) -> str:
    """A language's own name for itself (Français, Română, English), as switchers show it."""
    if locale in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[locale]
    name = Locale.parse(locale).get_display_name(locale) or locale
    return name[:1].upper() + name[1:]


@lru_cache(maxsize=16384, typed=True)
def number(value: float | int, locale: str, digits: int = 1) -> str:
    """A number as a reader of ``locale`` writes it (fr ``1 234,5``, ro ``1.234,5``,
    ``−3`` with a true minus sign).
    Kept once made (a dashboard writes thousands, most of them again and again)."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    if isinstance(value, int) and not isinstance(value, bool):
        pattern = "#,##0"
    text = format_decimal(value, format=pattern, locale=locale)
    # CLDR writes fr, ro and en negatives with a hyphen-minus; a reader sees a true minus
    # (and no "-0" for a value that rounds to zero).
    if text.startswith("-"):
        text = "\u2212" + text[1:] if text.strip("-0,.\u202f ") else text[1:]
    return text


def signed(value: float, locale: str, digits: int = 1) -> str:
    """A change, with its sign: ``+7,5``, ``−3,0`` (a true minus sign), ``0``."""
    if round(value, digits) == 0:
        return number(0, locale)
    return ("+" if value > 0 else "\u2212") + number(abs(value), locale, digits)


def percent(fraction: float, locale: str) -> str:
    """A share (0..1) as a percentage with one decimal, in the reader's locale.

    The locale's own pattern keeps its spacing (fr and ro: ``66,7 %``).
    """
    pattern = Locale.parse(locale).percent_formats[None].pattern.replace("#,##0", "#,##0.0", 1)
    return format_percent(fraction, format=pattern, locale=locale)


def listed(items: list[str], locale: str) -> str:
    """Items joined as a sentence of ``locale`` joins them (fr ``a, b et c``, ro
    ``a, b și c``), by Babel's CLDR patterns."""
    return format_list(items, locale=locale)


def file_size(size: int, locale: str) -> str:
    """A file's size in the reader's units (fr ``12,3 Mo``, ro ``12,3 MB``): kB under a
    megabyte, MB above."""
    if size < 1_000_000:
        return format_unit(max(size, 1) / 1000, "digital-kilobyte", "short", "#,##0.#", locale)
    return format_unit(size / 1_000_000, "digital-megabyte", "short", "#,##0.0", locale)


@lru_cache(maxsize=8192)
def date_text(day: date, locale: str, short: bool = False) -> str:
    """A date in the reader's locale: medium (fr ``23 nov. 2026``) or, ``short``, day and
    month only (fr ``23 nov.``, ro ``23 nov.``, en ``Nov 23``).

    Kept once made: a dashboard labels each week of every moment, and Babel's skeleton
    matching costs about half a millisecond a call (it was 80% of a dashboard's time)."""
    if short:
        return format_skeleton("dMMM", day, locale=locale)
    return format_date(day, format="medium", locale=locale)


def datetime_text(moment: datetime, locale: str) -> str:
    """A date and time in the reader's locale (medium format)."""
    return format_datetime(moment, format="medium", locale=locale)


def duration_text(delta: timedelta, locale: str, *, future: bool = False) -> str:
    """A length of time in words, rounded to its largest unit (fr ``2 jours``, ro ``2 zile``,
    en ``2 days``); with ``future``, from now (fr ``dans 2 jours``, ro ``peste 2 zile``)."""
    return format_timedelta(delta, threshold=1.5, add_direction=future, locale=locale)


def extract_blueprints(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """Babel extractor for ``survey_templates/*.yaml``: every question's ``text``.

    Registered in ``babel.cfg``; yields (line, function, message, comments).
    """
    document = yaml.compose(fileobj.read().decode("utf-8"))
    if document is None:
        return
    for key_node, value_node in document.value:
        if key_node.value != "questions":
            continue
        for question in value_node.value:
            fields = {k.value: v for k, v in question.value}
            if "text" in fields:
                text_node = fields["text"]
                comment = f"Translators: survey question ({fields['type'].value})"
                if "%(moment)s" in text_node.value:
                    comment += "; %(moment)s is the moment's name"
                if "%(brand)s" in text_node.value:
                    comment += "; %(brand)s is the company or product name"
                yield text_node.start_mark.line + 1, "gettext", text_node.value, [comment]
