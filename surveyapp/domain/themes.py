"""Themes of comments: a name per language and the words that make a comment about it
("Attente: attente, retard, lent, queue"), matched as the terms are, by stem with case
and diacritics folded, so "retards" and "intarziere" count."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: At most this many themes per journey, words per language and theme, and letters in a
#: theme's name or word: a page shows every theme's shares.
MAX_THEMES = 40
MAX_WORDS = 30
MAX_NAME = 60
MAX_WORD = 40
#: Words are separated by commas or line breaks (a phrase may hold spaces).
_SEPARATORS = re.compile(r"[,;\n\r]+")


def split_words(text: str) -> list[str]:
    """The words of a theme as typed: separated by commas, semicolons or line breaks,
    trimmed, the first of each written the same way (case ignored) kept."""
    seen, words = set(), []
    for word in _SEPARATORS.split(text or ""):
        word = " ".join(word.split())
        if word and word.casefold() not in seen:
            seen.add(word.casefold())
            words.append(word)
    return words


@dataclass(frozen=True)
class Theme:
    """A theme of a journey's comments: its id (None before it is stored), its name and
    its words in each language."""

    id: int | None
    names: dict[str, str]
    words: dict[str, list[str]] = field(default_factory=dict)

    def name(self, locale: str, fallback: str) -> str:
        """The name in ``locale``, else in ``fallback``, else in any language."""
        return self.names.get(locale) or self.names.get(fallback) or next(iter(self.names.values()))


def word_keys(words: list[str], keys_of) -> list[frozenset[str]]:
    """Each word's content keys (``keys_of(word)``); a word of stopwords only has none and
    is left out. A comment is about the theme when it holds every key of one word."""
    found = [frozenset(keys_of(word)) for word in words]
    return [keys for keys in found if keys]


def matches(comment_keys: set[str], theme_keys: list[frozenset[str]]) -> bool:
    """Whether a comment with ``comment_keys`` holds every key of one of the words."""
    return any(keys <= comment_keys for keys in theme_keys)
