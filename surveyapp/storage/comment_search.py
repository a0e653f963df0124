"""Which comments hold the searched words: the full-text index of migration 0022, read
the same way on both engines.

Both index each comment's words folded (case and diacritics removed) and unstemmed; the
searched words are turned into beginnings by the terms' own Snowball stemmers
(:func:`surveyapp.domain.comment_words.searched_prefixes`), so "retards" finds "retard"
and "retardé", and SQLite and PostgreSQL find the same comments. (PostgreSQL's
per-language configurations stem the index with their own rules and drop their own
stopwords: a search would find other comments there than on SQLite, and other words
than the terms show.)

Why SQLite is asked twice: its planner cannot tell a word in 3 comments from one in
300,000. Read from the index, a rare word's comments are found at once but a common
word's cost a look-up each; read along the moment's newest comments, a common word fills
a page in a few rows but a rare one reads the whole moment. So the index is first asked
for up to :data:`PROBED` comments: fewer, and those are the candidates; more, and the
moment's comments are read newest first, each checked against the matches (gathered
once). At 1,000,000 comments (``benchmarks/comments_page.py``, SQLite) a page for a
word nobody wrote takes 2.3 ms and one for a word in 1% of the comments 12 ms, where
reading along the moment took 53 ms for the query alone; a word in half of them takes
75 ms, most of it gathering its 500,000 matches (asked row by row instead, the index
took 2.8 s).
"""

from __future__ import annotations

import sqlalchemy as sa

from surveyapp.storage.database import Database, is_postgres
from surveyapp.storage.statements import rows
from surveyapp.storage.tables import responses

#: The most comments read from the index as the candidates themselves (see above).
PROBED = 5_000
#: PostgreSQL's configuration of the index: the simple dictionary after unaccent.
_CONFIGURATION = sa.literal_column("'surveyapp_folded'::regconfig")
#: PostgreSQL's generated column of each comment's folded words (not in tables.py: the
#: SQLite file has no such column).
_WORDS = sa.literal_column("responses.comment_words")


#: The index's own tables, column and index, made by migration 0022 and kept out of
#: tables.py (a schema comparison leaves them aside).
INDEX_OBJECTS = ("comment_search", "comment_words", "idx_responses_comment_words")


def index_object(name: str) -> bool:
    """Whether ``name`` is one of the index's own (FTS5's shadow tables included)."""
    return name.startswith(INDEX_OBJECTS)


_MATCHED = "SELECT rowid FROM comment_search WHERE comment_search MATCH :query"


def holding(db: Database, text: str) -> sa.ColumnElement[bool]:
    """A condition on ``responses``: its comment holds every word of ``text`` (each as a
    word that begins like it, see the module's docstring); nothing holds a text without
    words."""
    from surveyapp.domain.comment_words import searched_prefixes  # the stemmers: on demand

    groups = searched_prefixes(text)
    if not groups:
        return sa.false()
    if is_postgres(db):
        query = " & ".join("(" + " | ".join(f"'{p}':*" for p in g) + ")" for g in groups)
        return _WORDS.bool_op("@@")(sa.func.to_tsquery(_CONFIGURATION, query))
    query = " AND ".join("(" + " OR ".join(f'"{p}"*' for p in g) + ")" for g in groups)
    probe = sa.text(f"{_MATCHED} LIMIT {PROBED + 1}").bindparams(query=query)
    found = [found["rowid"] for found in rows(db, probe)]
    if not found:  # said plainly: SQLite reads "IN ()" along every row it would check
        return sa.false()
    if len(found) <= PROBED:
        return responses.c.id.in_(found)
    matched = sa.text(_MATCHED).bindparams(query=query).columns(sa.column("rowid"))
    return responses.c.id.in_(matched)
