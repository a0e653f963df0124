"""Comments as terms: words and two-word phrases, stemmed per language (Snowball), stopwords
removed, case and diacritics folded, so that "intarziere", "întârziere" and "întârzierea"
count as one term, each remembered in the forms customers wrote it.

PyStemmer (the Snowball project's C stemmers) and stopwordsiso are imported with this
module, which only the workers that show terms import (docs/comments.md).
"""

from __future__ import annotations

import itertools
import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

import Stemmer
import stopwordsiso
from cachetools import LRUCache

from surveyapp.domain.comment_vocabulary import KEPT_WORDS, STEMMER_LANGUAGES

#: A word: letters only (digits, prices and dates are not terms); French elisions
#: ("l'attente", "d’attente") and hyphens split it.
_WORD = re.compile(r"[^\W\d_]+")
#: A searched word: letters or digits (a customer may search "12" or "B-7").
_SEARCHED = re.compile(r"[^\W_]+")
#: The most words of a search looked for (a search box, not a document).
SEARCHED_WORDS = 8
#: Romanian's s and t with a cedilla (old keyboards) written as the comma-below letters
#: the Snowball stemmer's rules are written with.
_CEDILLA = str.maketrans("şţŞŢ", "șțȘȚ")
#: Shorter words are initials, elisions and typos, not terms.
MIN_LETTERS = 3
#: The written words whose key each analyzer keeps (about 200 bytes each).
WORD_CACHE = 100_000


def fold(word: str) -> str:
    """``word`` without case or diacritics: ``Întârzierea`` is ``intarzierea``."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass
class Terms:
    """A comment's terms: each term's key once (a comment counts once per term), and the
    written form of each."""

    keys: set[str] = field(default_factory=set)
    forms: dict[str, str] = field(default_factory=dict)


class Analyzer:
    """How one language's comments become terms."""

    def __init__(self, locale: str):
        self.locale = locale
        self._stemmer = Stemmer.Stemmer(STEMMER_LANGUAGES[locale])
        kept = {fold(w) for w in KEPT_WORDS.get(locale, ())}
        self._stopwords = {fold(w) for w in stopwordsiso.stopwords(locale)} - kept
        # Each written word's (key, folded form), or None for a stopword: customers use
        # the same few thousand words, and folding one costs more than stemming it. With
        # this cache and FormCounts' plain dicts, 40,000 comments are analysed in 1.15 s
        # where they took 2.0 s, side by side on this machine.
        self._seen: LRUCache = LRUCache(maxsize=WORD_CACHE)

    def _word(self, written: str) -> tuple[str, str] | None:
        folded = fold(written)
        if len(folded) < MIN_LETTERS or folded in self._stopwords:
            return None
        # Stemmed as written (its rules read the diacritics), folded after: the stem of
        # "întârzierea" and of "intarzierea" fold to the same key.
        return fold(self._stemmer.stemWord(written)), folded

    def stem(self, word: str) -> str:
        """The folded stem of one written ``word``, as terms are keyed."""
        return fold(self._stemmer.stemWord(word))

    def words(self, text: str) -> list[tuple[str, str, str]]:
        """The content words of ``text`` in order, each as (key, written form, folded
        form): the key is the folded stem, the form the word lower-cased as written."""
        words = []
        for match in _WORD.finditer(unicodedata.normalize("NFC", text).translate(_CEDILLA)):
            written = match.group().casefold()
            try:
                found = self._seen[written]
            except KeyError:
                found = self._seen[written] = self._word(written)
            if found is not None:
                words.append((found[0], written, found[1]))
        return words

    def terms(self, text: str, spellings: Spellings | None = None) -> Terms:
        """The words and two-word phrases (of consecutive content words) of ``text``;
        ``spellings`` notes which key each spelling led to."""
        found = Terms()
        words = self.words(text)
        for key, written, folded in words:
            found.keys.add(key)
            found.forms.setdefault(key, written)
            if spellings is not None:
                spellings.add(folded, key)
        for (first, first_written, _), (second, second_written, _) in itertools.pairwise(words):
            if first == second:
                continue
            key = f"{first} {second}"
            found.keys.add(key)
            found.forms.setdefault(key, f"{first_written} {second_written}")
        return found


@cache
def analyzer(locale: str) -> Analyzer:
    """The analyzer of ``locale`` (one of :data:`STEMMER_LANGUAGES`), built once."""
    return Analyzer(locale)


def searched_prefixes(text: str) -> list[tuple[str, ...]]:
    """What a search for ``text`` looks for: per word, the beginnings of folded words that
    count as it, from its stem in each language (so "retards" finds "retard" and
    "retardé", and "întârziere" finds "intarzierea"). A comment holds the search when it
    holds, for every word, a word that begins with one of its beginnings. Words of up to
    three letters, and those with digits, are looked for as written (folded)."""
    groups: list[tuple[str, ...]] = []
    text = unicodedata.normalize("NFC", text).translate(_CEDILLA)
    for match in _SEARCHED.finditer(text):
        written = match.group().casefold()
        folded = fold(written)
        if not folded:  # diacritics alone
            continue
        starts = {folded}
        if folded.isalpha() and len(folded) > MIN_LETTERS:
            # A stem is mostly the word's beginning, but a rule may rewrite its end: the
            # part it shares with the word is kept, at least MIN_LETTERS long.
            starts = {
                max(
                    os.path.commonprefix([analyzer(locale).stem(written), folded]),
                    folded[:MIN_LETTERS],
                    key=len,
                )
                for locale in STEMMER_LANGUAGES
            }
        # A beginning that another one begins with finds nothing more.
        kept = tuple(sorted(s for s in starts if not any(s.startswith(o) for o in starts - {s})))
        if kept not in groups:
            groups.append(kept)
    return groups[:SEARCHED_WORDS]


class Spellings:
    """Keys that one spelling leads to, made one term. The stemmer reads diacritics:
    "cassé" stems to ``cass`` but "casse", the same word typed without its accent, to
    ``casse``; both are spelled ``casse`` once folded, so both keys are one term."""

    def __init__(self):
        self._first: dict[str, str] = {}
        self._parent: dict[str, str] = {}

    def add(self, folded: str, key: str) -> None:
        """Notes that the word spelled ``folded`` (folded) led to ``key``."""
        first = self._first.setdefault(folded, key)
        if first != key:
            a, b = self.canonical(first), self.canonical(key)
            if a != b:
                self._parent[max(a, b)] = min(a, b)

    def canonical(self, key: str) -> str:
        """The key that stands for ``key`` and every key one of its spellings led to; a
        two-word phrase's, word by word."""
        if " " in key:
            return " ".join(self.canonical(part) for part in key.split(" "))
        root = key
        while root in self._parent:
            root = self._parent[root]
        while key != root:  # path compression: the next look-up is one step
            parent = self._parent[key]
            self._parent[key] = root
            key = parent
        return root

    def merged(self, counts: Counter) -> Counter:
        """``counts`` with the keys of one term added together."""
        out: Counter = Counter()
        for key, count in counts.items():
            out[self.canonical(key)] += count
        return out


class FormCounts:
    """The written forms of each term, counted, so each is shown as customers most often
    wrote it."""

    def __init__(self):
        self._counts: dict[str, dict[str, int]] = {}

    def add(self, terms: Terms) -> None:
        """Counts the forms of one comment's terms."""
        counts = self._counts
        for key, form in terms.forms.items():
            forms = counts.get(key)
            if forms is None:
                counts[key] = {form: 1}
            else:
                forms[form] = forms.get(form, 0) + 1

    def merge(self, spellings: Spellings) -> None:
        """Counts the forms of the keys of one term together, under its key."""
        merged: dict[str, dict[str, int]] = {}
        for key, forms in self._counts.items():
            kept = merged.setdefault(spellings.canonical(key), {})
            for form, count in forms.items():
                kept[form] = kept.get(form, 0) + count
        self._counts = merged

    def most_common(self, key: str) -> str:
        """The form of ``key`` written most often (the first seen among equals)."""
        forms = self._counts[key]
        return max(forms, key=forms.__getitem__)
