"""Themes of a moment's comments: which comments are about each theme (matched by stem,
case and diacritics folded, old and new comments alike, so a theme edited re-tags them
all at the next read), each theme's share of pain and of glory comments with its Wilson
interval, and themes suggested from the distinguishing terms (docs/comments.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from surveyapp.domain.comment_vocabulary import ANALYSED, STEMMER_LANGUAGES
from surveyapp.domain.comment_words import analyzer, fold
from surveyapp.domain.statistics import Figure, share_figure
from surveyapp.domain.themes import Theme, matches, word_keys
from surveyapp.domain.vocabulary import Polarity
from surveyapp.storage import comments as stored_comments
from surveyapp.storage.database import Database

#: Suggested themes shown per side: the strongest terms no theme covers yet.
SUGGESTED = 5
#: The weeks of a theme's trend: the last ones of the period read.
TREND_WEEKS = 8


class Tagger:
    """Which of ``themes`` a comment is about, in the comment's language."""

    def __init__(self, themes: list[Theme]):
        self.themes = themes
        self._keys: dict[str, list[tuple[Theme, list]]] = {}
        for locale in STEMMER_LANGUAGES:
            reader = analyzer(locale)

            def keys_of(word, reader=reader):
                return {k for k, _, _ in reader.words(word)}

            self._keys[locale] = [
                (theme, self._alternatives(theme.words.get(locale, []), keys_of))
                for theme in themes
                if theme.words.get(locale)
            ]

    @staticmethod
    def _alternatives(words: list[str], keys_of) -> list[frozenset[str]]:
        # A theme's word typed with its accents also matches comments typed without them:
        # "cassé" stems to cass, "casse" to casse.
        return word_keys(words, keys_of) + word_keys([fold(w) for w in words], keys_of)

    def covers(self, locale: str) -> list[Theme]:
        """The themes with words in ``locale``."""
        return [theme for theme, _ in self._keys.get(locale, [])]

    def about(self, text: str, locale: str) -> list[Theme]:
        """The themes the comment ``text``, written in ``locale``, is about."""
        if locale not in self._keys or not self._keys[locale]:
            return []
        keys = {k for k, _, _ in analyzer(locale).words(text)}
        return [theme for theme, alternatives in self._keys[locale] if matches(keys, alternatives)]


@dataclass(frozen=True)
class ThemeShare:
    """A theme's share of a moment's pain comments and of its glory comments (in the
    languages where the theme has words), each with its 95% interval."""

    theme: Theme
    pain: Figure | None
    glory: Figure | None
    pain_count: int
    glory_count: int
    #: (Monday of the week, pain comments about the theme, pain comments) for the last
    #: :data:`TREND_WEEKS` weeks of the period, oldest first.
    weeks: list[tuple[date, int, int]] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The share as the API and ``surveyapp terms --format json`` give it."""

        def figure(f: Figure | None) -> dict | None:
            if f is None:
                return None
            return {"share": round(f.value, 1), "low": round(f.low, 1), "high": round(f.high, 1)}

        return {
            "id": self.theme.id,
            "names": self.theme.names,
            "words": self.theme.words,
            "pain": figure(self.pain),
            "glory": figure(self.glory),
            "pain_comments": self.pain_count,
            "glory_comments": self.glory_count,
            "weeks": [
                {"monday": m.isoformat(), "pain_comments": about, "of": n}
                for m, about, n in self.weeks
            ],
        }


def _monday(stamp: str) -> date:
    day = date.fromisoformat(stamp[:10])
    return day - timedelta(days=day.weekday())


def shares(themes: list[Theme], rows: list) -> list[ThemeShare]:
    """Each theme's share of a moment's pain and glory comments ``rows`` (as
    comment_terms.read gives them: its newest ones of a period)."""
    if not themes:
        return []
    tagger = Tagger(themes)
    counts = {theme.id: {"pain": [0, 0], "glory": [0, 0]} for theme in themes}
    weekly: dict[int, dict[date, list[int]]] = {theme.id: {} for theme in themes}
    last = None
    for row in rows:
        covering = tagger.covers(row["locale"])
        if not covering:
            continue
        side = "pain" if row["polarity"] == Polarity.NEGATIVE else "glory"
        about = {theme.id for theme in tagger.about(row["comment"], row["locale"])}
        week = _monday(row["created_at"])
        last = max(last or week, week)
        for theme in covering:
            counts[theme.id][side][1] += 1
            counts[theme.id][side][0] += theme.id in about
            if side == "pain":
                tally = weekly[theme.id].setdefault(week, [0, 0])
                tally[0] += theme.id in about
                tally[1] += 1
    mondays = [last - timedelta(weeks=k) for k in range(TREND_WEEKS - 1, -1, -1)] if last else []
    return [
        ThemeShare(
            theme,
            share_figure(*counts[theme.id]["pain"]),
            share_figure(*counts[theme.id]["glory"]),
            counts[theme.id]["pain"][0],
            counts[theme.id]["glory"][0],
            [(m, *weekly[theme.id].get(m, (0, 0))) for m in mondays],
        )
        for theme in themes
    ]


def suggestions(analyses, themes: list[Theme]) -> list[dict]:
    """The strongest distinguishing terms that no theme covers yet, per language and side:
    ``{"locale", "side", "term"}`` for the page to offer as new themes."""
    tagger = Tagger(themes)
    found = []
    for analysis in analyses:
        for side in ("pain", "glory"):
            uncovered = [
                term.text
                for term in getattr(analysis, side)
                if not tagger.about(term.text, analysis.locale)
            ]
            found += [
                {"locale": analysis.locale, "side": side, "term": text}
                for text in uncovered[:SUGGESTED]
            ]
    return found


def comments_about(
    db: Database, journey, moment_id: str, theme: Theme, *, limit: int, offset: int, **filters
) -> list[dict]:
    """A page of the moment's comments (newest first, within ``filters`` as
    :func:`storage.comments.comments` takes them, among its newest :data:`ANALYSED`) that
    are about ``theme``. Read whole and
    tagged here: a moment's comments are tagged when read, never stored tagged, so an
    edited theme applies to all at once."""
    tagger = Tagger([theme])
    rows = stored_comments.comments(db, journey.id, moment_id, limit=ANALYSED, offset=0, **filters)
    about = [row for row in rows if tagger.about(row["comment"] or "", row["locale"])]
    return about[offset : offset + limit]


def pain_about(db: Database, journey, theme: Theme, *, moment_id=None, locale=None) -> list[int]:
    """The ids of the journey's newest :data:`ANALYSED` comments on negative answers (of
    one moment, one language) that are about ``theme``: the inbox's theme filter."""
    tagger = Tagger([theme])
    moments = [moment_id] if moment_id else [m.id for m in journey.moments]
    found = []
    for moment in moments:
        for row in stored_comments.sided_comments(
            db, journey.id, moment, locale=locale, limit=ANALYSED
        ):
            if row["polarity"] == Polarity.NEGATIVE and tagger.about(row["comment"], row["locale"]):
                found.append(row["id"])
    return found
