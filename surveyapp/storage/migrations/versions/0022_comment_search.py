"""Full-text search of comments (docs/comments.md): an index of each comment's words,
case and diacritics folded, that a search reads instead of every comment.

SQLite: an FTS5 table over ``responses.comment`` (its unicode61 tokenizer removes
diacritics), kept by triggers; without the comments' sizes (``columnsize=0``: results are
not ranked by bm25, and a submit then writes 12.9 pages rather than 13.3,
``benchmarks/submit_writes.py``; 12.0 before the index).

PostgreSQL: a generated ``tsvector`` column of the same folded words (a text search
configuration of the ``simple`` dictionary after ``unaccent``) with a GIN index. Neither
engine stems the index: the searched words are stemmed by the terms' own Snowball
stemmers (storage/comment_search.py), so both engines find the same comments.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08
"""

import string

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

_SQLITE = [
    "CREATE VIRTUAL TABLE comment_search USING fts5(comment, content='responses', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2', columnsize=0)",
    "CREATE TRIGGER comment_search_insert AFTER INSERT ON responses "
    "WHEN new.comment IS NOT NULL BEGIN "
    "INSERT INTO comment_search(rowid, comment) VALUES (new.id, new.comment); END",
    "CREATE TRIGGER comment_search_delete AFTER DELETE ON responses "
    "WHEN old.comment IS NOT NULL BEGIN "
    "INSERT INTO comment_search(comment_search, rowid, comment) "
    "VALUES ('delete', old.id, old.comment); END",
    "CREATE TRIGGER comment_search_update AFTER UPDATE OF comment ON responses BEGIN "
    "INSERT INTO comment_search(comment_search, rowid, comment) "
    "SELECT 'delete', old.id, old.comment WHERE old.comment IS NOT NULL; "
    "INSERT INTO comment_search(rowid, comment) "
    "SELECT new.id, new.comment WHERE new.comment IS NOT NULL; END",
    "INSERT INTO comment_search(rowid, comment) "
    "SELECT id, comment FROM responses WHERE comment IS NOT NULL",
]

#: ASCII's punctuation, read as spaces before PostgreSQL's parser sees a comment: it
#: would keep "a@b.com" or "3.5" whole and skip the text between two "<...>"; SQLite's
#: tokenizer splits words at each of these, and so both engines index the same words.
_PUNCTUATION = "'" + string.punctuation.replace("'", "''") + "'"
_SPACES = "'" + " " * len(string.punctuation) + "'"

_POSTGRESQL = [
    # A trusted extension since PostgreSQL 13: the database's owner may create it.
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION surveyapp_folded (COPY = simple)",
    "ALTER TEXT SEARCH CONFIGURATION surveyapp_folded ALTER MAPPING FOR "
    "asciiword, word, numword, asciihword, hword, numhword, hword_asciipart, hword_part, "
    "hword_numpart WITH unaccent, simple",
    "ALTER TABLE responses ADD COLUMN comment_words tsvector GENERATED ALWAYS AS "
    "(to_tsvector('surveyapp_folded'::regconfig, "
    f"translate(coalesce(comment, ''), {_PUNCTUATION}, {_SPACES}))) STORED",
    "CREATE INDEX idx_responses_comment_words ON responses USING gin (comment_words)",
]


def upgrade() -> None:
    for statement in _SQLITE if op.get_bind().dialect.name == "sqlite" else _POSTGRESQL:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER comment_search_{trigger}")
        op.execute("DROP TABLE comment_search")
    else:
        op.execute("DROP INDEX idx_responses_comment_words")
        op.execute("ALTER TABLE responses DROP COLUMN comment_words")
        op.execute("DROP TEXT SEARCH CONFIGURATION surveyapp_folded")
