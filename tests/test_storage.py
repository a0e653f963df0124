"""Storage on a real SQLite file: schema, journeys, responses and tallies."""

from __future__ import annotations

import os
import threading
from datetime import UTC, date, datetime

import pytest
import sqlalchemy

from surveyapp import storage
from surveyapp.domain import scoring
from surveyapp.domain.definitions import parse_definition, read_definition_file
from surveyapp.storage import database
from tests.helpers import record_scored, sql


def test_connections_wait_for_a_busy_database(db_path):
    storage.open_database(db_path).close()
    db = storage.connect(db_path)
    assert sql(db, "PRAGMA busy_timeout").fetchone()[0] == storage.BUSY_TIMEOUT_MS
    assert sql(db, "PRAGMA foreign_keys").fetchone()[0] == 1


def test_a_forked_worker_opens_connections_of_its_own(db_path):
    """Gunicorn forks its workers from a master that opened the database: a worker must
    never draw the master's pooled connections (two processes on one SQLite handle)."""
    storage.open_database(db_path).close()
    parent = database.engine(db_path)
    readable, writable = os.pipe()
    child = os.fork()
    if child == 0:  # the worker
        try:
            own = database.engine(db_path)
            with storage.connect(db_path) as db:
                storage.ping(db)
            separate = own is not parent and own.pool is not parent.pool
            os.write(writable, b"own" if separate else b"shared")
        finally:
            os._exit(0)
    os.waitpid(child, 0)
    assert os.read(readable, 8) == b"own"
    assert database.engine(db_path) is parent  # the master keeps its own


def test_a_writer_waits_for_a_long_write_instead_of_failing(db_path, loaded, monkeypatch):
    # SQLite alone would give up after its busy timeout ("database is locked"); writers
    # queue on the writers' lock instead and go as soon as the one before them is done.
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 100)
    importer, customer = storage.connect(db_path), storage.connect(db_path)
    started, answered = threading.Event(), threading.Event()
    seen_while_importing = []

    def long_import():
        with storage.transaction(importer):
            started.set()
            # Three busy timeouts: SQLite alone would have failed the answer by now.
            seen_while_importing.append(answered.wait(timeout=0.3))

    thread = threading.Thread(target=long_import)
    thread.start()
    started.wait()
    record_scored(customer, loaded["cafe"], "meal", {"experience": "negative"})
    answered.set()
    thread.join()
    assert seen_while_importing == [False]  # the answer went in after the import, not during
    assert storage.responses.count_responses(customer) == 1


def test_loading_the_same_definition_twice_changes_nothing(db, journeys_dir):
    cafe = read_definition_file(journeys_dir / "cafe.yaml")
    (first,) = storage.journeys.store_journeys(db, [cafe])
    before = sql(db, "SELECT updated_at FROM journeys").fetchone()
    (second,) = storage.journeys.store_journeys(db, [cafe])
    assert (first.status, second.status) == ("created", "unchanged")
    assert sql(db, "SELECT updated_at FROM journeys").fetchone() == before


def test_a_changed_definition_keeps_responses_and_retires_removed_moments(db, loaded):
    cafe = loaded["cafe"]
    record_scored(db, cafe, "bill", {"experience": "negative", "why": "trop cher"})
    text = (
        "id: cafe\nbrand: Café des Arts\ndefault_locale: fr\nlocales: [fr, ro]\nmoments:\n"
        "  - {id: welcome, kind: fmot, name: Accueil}\n"
        "  - {id: meal, kind: smot, name: Repas}\n"
        "  - {id: terrace, kind: touchpoint, name: Terrasse}\n"
    )
    (report,) = storage.journeys.store_journeys(db, [parse_definition(text)])
    assert report.status == "updated"
    assert report.added == ["terrace"]
    assert report.retired == ["waiting", "bill", "review"]
    assert report.changed == ["welcome", "meal"]
    assert storage.responses.count_responses(db, "cafe") == 1
    retired = storage.journeys.retired_moments(db, "cafe")
    assert [m.id for m in retired] == ["waiting", "bill", "review"]
    scores = scoring.journey_scores(
        storage.journeys.get_journey(db, "cafe"),
        retired,
        storage.tallies.moment_tallies(db, "cafe"),
    )
    bill = next(s for s in scores if s.id == "bill")
    assert (bill.retired, bill.responses, bill.negative) == (True, 1, 1)
    assert [s.id for s in scores] == ["welcome", "meal", "terrace", "waiting", "bill", "review"]


def test_a_retired_moment_comes_back_when_the_definition_brings_it_back(db, loaded, journeys_dir):
    short = parse_definition(
        "id: cafe\nbrand: Café des Arts\ndefault_locale: fr\nlocales: [fr, ro]\n"
        "moments: [{id: meal, kind: smot, name: Repas}]\n"
    )
    storage.journeys.store_journeys(db, [short])
    (report,) = storage.journeys.store_journeys(
        db, [read_definition_file(journeys_dir / "cafe.yaml")]
    )
    assert sorted(report.restored) == ["bill", "review", "waiting", "welcome"]
    assert storage.journeys.retired_moments(db, "cafe") == []


def test_loading_several_definitions_is_all_or_nothing(db, journeys_dir):
    cafe = read_definition_file(journeys_dir / "cafe.yaml")

    class Broken:
        id = "broken"
        digest = "x"
        brand = None  # violates NOT NULL in the middle of the transaction
        default_locale = "fr"
        locales = ("fr",)
        moments = ()
        branding = None

        def to_dict(self):
            return {}

    with pytest.raises(sqlalchemy.exc.IntegrityError):
        storage.journeys.store_journeys(db, [cafe, Broken()])
    assert storage.journeys.list_journeys(db) == []


def test_a_response_and_its_tally_are_written_together(db, loaded):
    saas = loaded["saas-onboarding"]
    record_scored(db, saas, "recommendation", {"recommend": 10, "reason": "rapide"}, locale="ro")
    record_scored(db, saas, "recommendation", {"recommend": 3}, locale="fr")
    row = sql(db, "SELECT polarity, answers, locale, channel FROM responses ORDER BY id").fetchall()
    assert row[0] == ("positive", '{"recommend": 10, "reason": "rapide"}', "ro", "link")
    tallies = storage.tallies.moment_tallies(db, saas.id)
    assert tallies["recommendation"]["responses"] == 2
    assert tallies["recommendation"]["nps_promoters"] == 1
    assert tallies["recommendation"]["nps_detractors"] == 1


def test_tallies_are_filtered_by_day_range_and_locale(db, loaded):
    cafe = loaded["cafe"]
    for day, locale in ((1, "fr"), (2, "ro"), (3, "ro"), (3, "fr")):
        record_scored(
            db,
            cafe,
            "meal",
            {"experience": "positive"},
            locale=locale,
            when=datetime(2026, 11, day, 23, 59, tzinfo=UTC),
        )
    count = lambda **f: storage.tallies.moment_tallies(db, "cafe", **f)["meal"]["responses"]  # noqa: E731
    assert count() == 4
    assert count(since=date(2026, 11, 2)) == 3
    assert count(until=date(2026, 11, 2)) == 2
    assert count(since=date(2026, 11, 2), until=date(2026, 11, 2)) == 1
    assert count(locale="ro") == 2
    assert storage.tallies.moment_tallies(db, "cafe", since=date(2026, 12, 1)) == {}


def test_response_times_are_stored_in_utc(db, loaded):
    cafe = loaded["cafe"]
    record_scored(db, cafe, "meal", {"experience": "neutral"})
    (created,) = sql(db, "SELECT created_at FROM responses").fetchone()
    assert created.endswith("Z")
    stored = datetime.fromisoformat(created.replace("Z", "+00:00"))
    assert abs((datetime.now(UTC) - stored).total_seconds()) < 60


@pytest.mark.sqlite_only
def test_the_score_query_uses_the_tally_primary_key(db, loaded):
    plan = sql(
        db,
        "EXPLAIN QUERY PLAN SELECT moment_id, SUM(responses) FROM daily_tallies "
        "WHERE journey_id = ? AND day >= ? GROUP BY moment_id",
        ["cafe", "2026-01-01"],
    ).fetchall()
    assert any("USING INDEX" in str(step) or "PRIMARY KEY" in str(step) for step in plan)
