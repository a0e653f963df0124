"""The terms that set a moment's pain comments apart from its glory comments, per language:
its comments read, turned into terms (:mod:`surveyapp.domain.comment_words`) and scored
(:mod:`surveyapp.domain.fightin_words`), each claimed term shown in the form customers
most often wrote it, with example comments (docs/comments.md)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from surveyapp.domain.comment_vocabulary import ANALYSED, SHOWN_EXAMPLES, STEMMER_LANGUAGES
from surveyapp.domain.comment_words import FormCounts, Spellings, analyzer
from surveyapp.domain.fightin_words import TermScore, scores
from surveyapp.domain.vocabulary import Polarity
from surveyapp.storage import comments as stored_comments
from surveyapp.storage.database import Database


@dataclass(frozen=True)
class Term:
    """A claimed term: its written form, z-score, the comments of each side holding it,
    and a few of its side's comments holding it."""

    key: str
    text: str
    z: float
    pain: int
    glory: int
    examples: list = field(default_factory=list)

    def to_dict(self) -> dict:
        """The term as the API and ``surveyapp terms --format json`` give it."""
        return {
            "term": self.text,
            "key": self.key,
            "z": round(abs(self.z), 2),
            "pain_comments": self.pain,
            "glory_comments": self.glory,
            "examples": [_example(e) for e in self.examples],
        }


@dataclass(frozen=True)
class Analysis:
    """One language's comments of a moment: how many on each side, how many terms were
    tested, and the claimed terms of each side, strongest first."""

    locale: str
    pain_comments: int
    glory_comments: int
    tested: int
    pain: list[Term]
    glory: list[Term]

    def to_dict(self) -> dict:
        """The language's analysis as the API and the CLI give it."""
        return {
            "locale": self.locale,
            "pain_comments": self.pain_comments,
            "glory_comments": self.glory_comments,
            "tested": self.tested,
            "pain": [t.to_dict() for t in self.pain],
            "glory": [t.to_dict() for t in self.glory],
        }


def _example(comment) -> dict:
    """An example comment: its text, and where it is stored its response and whether
    it has a follow-up item."""
    if isinstance(comment, str):
        return {"comment": comment}
    return {
        "comment": comment["comment"],
        "response_id": comment["id"],
        "created_at": comment["created_at"],
        "item": bool(comment["item"]),
    }


def analyse(locale: str, pain: list, glory: list, *, text=lambda c: c, **options) -> Analysis:
    """The distinguishing terms of ``pain`` and ``glory`` comments written in ``locale``.
    A comment is anything ``text`` reads its words from (a string by default); examples
    are the comments themselves. ``options`` go to :func:`fightin_words.scores`."""
    reader = analyzer(locale)
    forms, spellings = FormCounts(), Spellings()
    counts: dict[str, Counter] = {"pain": Counter(), "glory": Counter()}
    holders: dict[str, dict[str, list]] = {"pain": {}, "glory": {}}
    for side, comments in (("pain", pain), ("glory", glory)):
        for comment in comments:
            terms = reader.terms(text(comment), spellings)
            forms.add(terms)
            counts[side].update(terms.keys)
            held = holders[side]
            for key in terms.keys:
                examples = held.get(key)
                if examples is None:
                    held[key] = [comment]
                elif len(examples) < SHOWN_EXAMPLES:
                    examples.append(comment)
    forms.merge(spellings)
    for side in counts:
        counts[side] = spellings.merged(counts[side])
        merged: dict[str, list] = {}
        for key, examples in holders[side].items():
            kept = merged.setdefault(spellings.canonical(key), [])
            kept.extend(e for e in examples if e not in kept)
        holders[side] = merged
    scored = scores(counts["pain"], counts["glory"], (len(pain), len(glory)), **options)

    def shown(side: str) -> list[Term]:
        claimed = [s for s in scored if s.claimed and s.side == side]
        return [_term(s, forms, holders[side][s.key][:SHOWN_EXAMPLES]) for s in claimed]

    return Analysis(locale, len(pain), len(glory), len(scored), shown("pain"), shown("glory"))


def _term(score: TermScore, forms: FormCounts, examples: list) -> Term:
    return Term(score.key, forms.most_common(score.key), score.z, score.pain, score.glory, examples)


def read(db: Database, journey, moment_id: str, *, since=None, until=None, locale=None) -> list:
    """A moment's newest :data:`ANALYSED` comments on a negative or positive answer of the
    period (``locale``: in that language only), read once for its terms and its themes."""
    return [
        dict(row)
        for row in stored_comments.sided_comments(
            db, journey.id, moment_id, since=since, until=until, locale=locale, limit=ANALYSED
        )
    ]


def for_moment(db: Database, journey, moment_id: str, *, rows=None, **period) -> list[Analysis]:
    """The distinguishing terms of a moment's comments in each language they were written
    in, most commented language first: of ``rows`` (as :func:`read` gives them), else of
    those :func:`read` reads with ``period`` (since, until, locale). A comment is on the
    pain side when its moment's deciding answer was negative, glory when positive; its
    examples are the stored rows (id, comment, created_at, item)."""
    sides: dict[str, dict[str, list]] = {}
    for row in rows if rows is not None else read(db, journey, moment_id, **period):
        if row["locale"] not in STEMMER_LANGUAGES:
            continue
        side = "pain" if row["polarity"] == Polarity.NEGATIVE else "glory"
        sides.setdefault(row["locale"], {"pain": [], "glory": []})[side].append(row)
    found = [
        analyse(lang, both["pain"], both["glory"], text=lambda row: row["comment"])
        for lang, both in sides.items()
    ]
    return sorted(found, key=lambda a: (-(a.pain_comments + a.glory_comments), a.locale))
