"""Migrations: a new database gets the whole schema, an old SQLite file is upgraded in
place with its data, and what the migrations make is what the queries expect."""

from __future__ import annotations

import secrets
import sqlite3

import sqlalchemy
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlite_utils import Database as SqliteUtilsDatabase

from surveyapp import storage
from surveyapp.domain.definitions import read_definition_file
from surveyapp.storage import comment_search, legacy, schema, tables
from tests.helpers import DEMO_JOURNEYS, record_scored, sql


def _context(db) -> MigrationContext:
    """A comparison of the database with tables.py, the search index's own aside."""

    def ours(_object, name, *_) -> bool:
        return not comment_search.index_object(name)

    return MigrationContext.configure(db, opts={"include_object": ours})


def test_a_new_sqlite_file_gets_every_table_at_the_newest_revision_in_wal_mode(db_path):
    db = storage.open_database(db_path)
    names = {row[0] for row in sql(db, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert set(tables.metadata.tables) <= names
    assert schema.current(db) == schema.head()
    assert sql(db, "PRAGMA journal_mode").fetchone()[0] == "wal"
    assert schema.upgrade(db) is False  # opening again changes nothing
    db.close()


def test_the_head_the_code_expects_is_the_newest_migration():
    assert schema.head() == schema.HEAD


def test_the_migrations_make_exactly_the_tables_the_queries_use(db):
    assert schema.current(db) == schema.head()
    assert compare_metadata(_context(db), tables.metadata) == []
    assert schema.upgrade(db) is False


def test_an_empty_postgresql_database_is_migrated_when_first_opened(postgres_cluster):
    url = postgres_cluster.new_database()
    db = storage.open_database(url)
    assert schema.current(db) == schema.head()
    assert compare_metadata(_context(db), tables.metadata) == []
    db.close()
    storage.dispose_all()
    postgres_cluster.drop_database(url)


def test_a_database_owner_who_is_not_superuser_migrates_it_search_included(postgres_cluster):
    # docs/postgresql.md: a role that owns its database and nothing else suffices (the
    # unaccent extension of the comment search is a trusted one).
    name, password = f"owner_{secrets.token_hex(4)}", secrets.token_urlsafe(12)
    postgres_cluster.admin(f"CREATE ROLE {name} LOGIN NOSUPERUSER PASSWORD '{password}'")
    postgres_cluster.admin(f"CREATE DATABASE {name} OWNER {name}")
    url = sqlalchemy.make_url(postgres_cluster.url(name)).set(username=name, password=password)
    try:
        db = storage.open_database(url.render_as_string(hide_password=False))
        assert schema.current(db) == schema.head()
        storage.journeys.store_journeys(db, [read_definition_file(DEMO_JOURNEYS / "cafe.yaml")])
        cafe = storage.journeys.get_journey(db, "cafe")
        record_scored(db, cafe, "meal", {"experience": "negative", "why": "Café tiède"})
        (found,) = storage.comments.comments(db, "cafe", "meal", search="tiede")
        assert found["comment"] == "Café tiède"
        db.close()
    finally:
        storage.dispose_all()
        postgres_cluster.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        postgres_cluster.admin(f"DROP ROLE IF EXISTS {name}")


def _legacy_file(path, *, stop_before=None) -> None:
    """A SQLite file as the service made it before Alembic, with some answers in it."""
    old = SqliteUtilsDatabase(sqlite3.connect(path))
    legacy.migrations.apply(old, stop_before=stop_before)
    old.execute(
        "INSERT INTO journeys VALUES ('cafe', 'Café', 'fr', '[\"fr\"]', '{}', 'old', 't', 't')"
    )
    old.execute(
        "INSERT INTO responses (id, journey_id, moment_id, created_at, day, locale, channel, "
        "polarity, answers) VALUES (7, 'cafe', 'meal', '2026-11-01T10:00:00.000000Z', "
        "'2026-11-01', 'fr', 'web', 'negative', '{\"experience\": \"negative\"}')"
    )
    old.conn.commit()
    old.conn.close()


def test_a_sqlite_file_from_before_alembic_is_upgraded_in_place_with_its_answers(
    db_path, journeys_dir
):
    cafe = next(j for j in map(read_definition_file, journeys_dir.glob("*.yaml")) if j.id == "cafe")
    _legacy_file(db_path)
    db = storage.open_database(db_path)
    assert schema.current(db) == schema.head()
    assert not sql(db, "SELECT name FROM sqlite_master WHERE name = '_sqlite_migrations'")
    assert storage.responses.count_responses(db) == 1
    # sqlite-utils left primary-key columns nullable and named some types differently
    # (REAL for FLOAT, INTEGER for BIGINT: the same storage in SQLite); nothing else
    # may differ.
    differences = compare_metadata(_context(db), tables.metadata)
    assert [d for d in differences if not _same_in_sqlite(d)] == []
    # New answers get new ids after the old ones, and count as before.
    storage.journeys.store_journeys(db, [cafe])
    new_id = record_scored(db, cafe, "meal", {"experience": "positive"})
    assert new_id == 8
    assert storage.tallies.moment_tallies(db, "cafe")["meal"]["positive"] == 1
    db.close()


def test_a_file_stopped_halfway_through_the_old_migrations_is_finished_first(db_path):
    _legacy_file(db_path, stop_before="m003_accounts_followups_comments")
    db = storage.open_database(db_path)
    # m003 opened a follow-up for the old negative answer, and m004 counted it.
    assert storage.followups.open_followups(db, "cafe") == {"meal": 1}
    assert schema.current(db) == schema.head()
    db.close()


SAME_AFFINITY = ({"INTEGER", "BIGINT"}, {"REAL", "FLOAT"})


def _same_in_sqlite(difference) -> bool:
    if not isinstance(difference, list):
        return False
    for kind, _, table, column, _, old, new in difference:
        if kind == "modify_nullable":
            if not (old is True and tables.metadata.tables[table].c[column].primary_key):
                return False
        elif kind != "modify_type" or {str(old), str(new)} not in SAME_AFFINITY:
            return False
    return True
