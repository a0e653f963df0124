"""The words of comment analysis, each defined once: the Snowball stemmer of each language,
the words a stopword list drops that a customer's judgement is made of, and the rules a
term needs to be claimed. A part of the service's vocabulary (:mod:`.vocabulary`), kept
apart for its size."""

from __future__ import annotations

#: The Snowball stemmer of each language customers answer in.
STEMMER_LANGUAGES: dict[str, str] = {"fr": "french", "ro": "romanian", "en": "english"}

#: Words stopwords-iso lists as stopwords that carry a customer's judgement of a moment:
#: kept as terms ("problem", "bon", "bună" say what a moment was). Reviewed against the
#: lists of stopwordsiso 0.7.
KEPT_WORDS: dict[str, tuple[str, ...]] = {
    "en": (
        "problem", "problems", "good", "great", "best", "better", "help", "helpful",
        "thanks", "thank", "clear", "long", "new", "old", "right", "wrong", "useful",
        "available", "early", "kind",
    ),
    "fr": ("bien", "bon", "bonne", "merci", "cher", "chère", "nul", "nulle", "pire"),
    "ro": ("bine", "bun", "bună", "mulțumesc"),
}  # fmt: skip

#: A term is tested only when at least this many comments of the two sides hold it: rarer
#: terms are typos and names, and each one tested makes the correction stricter for all.
#: benchmarks/comment_terms.py, 300 comments a side, 40 journeys: 8 tests 117 terms a
#: journey and finds 215 of 240 planted words, 12 tests 81 and finds 219.
MIN_COMMENTS = 12

#: The correction for the hundreds of terms tested at once, and its level:
#: Benjamini-Hochberg's, at most 5% of the claims false on average. Measured in
#: benchmarks/comment_terms.py at 300 comments a side (20 journeys per language): a plain
#: |z| > 1.96 claims 2 to 3 filler terms per journey; Holm's (no false claim 95% of the
#: time) finds 78% of the planted words, Benjamini-Hochberg's 91%, with 0.1 false claims
#: per journey.
CORRECTION = "bh"
ERROR_LEVEL = 0.05

#: The strength of the informative Dirichlet prior (Monroe, Colaresi & Quinn 2008), in
#: comments: the background (both sides together) counts as this many comments. It keeps
#: a term seen twice on one side from outranking one seen forty times; 1 to 10 find as
#: many planted words, 30 fewer (216 of 240), 100 far fewer (197).
PRIOR_COMMENTS = 10

#: The newest comments of a moment and period its terms and themes are read from: a page
#: reads them when it is shown, about 15 us a comment to analyse (benchmarks/
#: comment_terms.py --timing 100000: 1.5 s), so 20,000 take a third of a second, plus
#: reading them; the page says when there were more.
ANALYSED = 20_000

#: The terms shown per side, and the example comments shown per term.
SHOWN_TERMS = 10
SHOWN_EXAMPLES = 3

#: The sides a comment can be on, by its moment's deciding answer.
TERM_SIDES: tuple[str, ...] = ("pain", "glory")
