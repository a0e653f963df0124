"""PostgreSQL ending a request's backend mid-request (pg_terminate_backend, an admin
shutdown, a failover): the hot paths answer the designed 503 (a localized page, or JSON
with Retry-After under /api/), the dead connection is replaced, and nothing is counted.
And a hot-path read leaves the connection's transaction state true."""

from __future__ import annotations

import pytest

from surveyapp import storage
from surveyapp.web.database import get_db
from tests.helpers import csrf_token, sql

pytestmark = pytest.mark.postgresql_only


def _terminate(database: str, pid: int) -> None:
    """End one backend from another connection, as an operator or a failover would."""
    with storage.open_database(database) as other:
        sql(other, "SELECT pg_terminate_backend(?)", (pid,))


def _backend_pid(db) -> int:
    return sql(db, "SELECT pg_backend_pid()").fetchone()[0]


def _kill_the_requests_backend(app, database: str, when=lambda request: True):
    """Before each request that ``when`` picks, its pooled connection's backend is ended
    (after the pool's pre-ping found it alive)."""
    from flask import request

    @app.before_request
    def _kill():
        if when(request):
            _terminate(database, _backend_pid(get_db()))


def test_a_hot_path_read_then_a_snapshot_keeps_the_transaction_state_true(db, loaded):
    assert storage.journeys.get_journey(db, "cafe") is not None  # the hot path's prepared read
    with storage.snapshot(db):
        assert storage.journeys.get_journey(db, "cafe").id == "cafe"
    with storage.transaction(db):
        storage.tallies.count_in_tally(db, _tally_key(), "review_clicks")


def _tally_key():
    return {
        "journey_id": "cafe",
        "moment_id": "meal",
        "day": "2026-12-01",
        "locale": "fr",
        "channel": "web",
    }


def test_a_terminated_backend_is_a_database_error_and_the_connection_is_replaced(
    db, loaded, database
):
    _terminate(database, _backend_pid(db))
    with pytest.raises(storage.DATABASE_DOWN):
        storage.journeys.get_journey(db, "cafe")
    assert db.invalidated
    db.rollback()
    assert storage.journeys.get_journey(db, "cafe").id == "cafe"  # a new connection, by itself


def test_a_survey_page_whose_backend_ends_asks_in_romanian_to_try_again(app, client, database):
    _kill_the_requests_backend(app, database)
    page = client.get("/j/cafe/meal?lang=ro")
    assert page.status_code == 503
    assert page.headers["Retry-After"]
    assert "Este posibil ca răspunsul dumneavoastră să nu fi fost salvat" in page.get_data(
        as_text=True
    )


def test_a_submit_whose_backend_ends_is_503_and_stores_nothing(app, client, db, database):
    _kill_the_requests_backend(app, database, when=lambda request: request.method == "POST")
    page = client.get("/j/cafe/meal?lang=fr")
    answer = {"experience": "negative", "why": "Froid", "csrf_token": csrf_token(page.text)}
    response = client.post("/j/cafe/meal?lang=fr", data=answer)
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert storage.responses.count_responses(db) == 0


def test_an_api_call_whose_backend_ends_is_json_503_with_retry_after(app, client, key, database):
    _kill_the_requests_backend(app, database)
    response = client.get("/api/v1/journeys", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert response.get_json()["code"] == "database_unavailable"


def test_after_a_terminated_backend_the_next_request_is_served(app, client, database):
    killed = []

    def first_only(_request) -> bool:
        killed.append(1)
        return len(killed) == 1

    _kill_the_requests_backend(app, database, when=first_only)
    assert client.get("/j/cafe/meal?lang=fr").status_code == 503
    assert client.get("/j/cafe/meal?lang=fr").status_code == 200
