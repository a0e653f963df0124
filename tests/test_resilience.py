"""The database going away under a running service: the customer is asked, in their
language, to try again; nothing is half-written; the service resumes by itself."""

from __future__ import annotations

import http.client
import re
import urllib.parse

import pytest

from surveyapp import storage
from surveyapp.domain.definitions import read_definition_file
from tests.helpers import free_port, start_gunicorn, stop_server
from tests.postgres import Cluster

pytestmark = pytest.mark.browser  # a real server and a PostgreSQL server stopped under it
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _open_then_answer(port: int, between=lambda: None) -> tuple[int, str]:
    """A customer opens the Romanian survey, then sends it (``between`` happens in
    between); the status and page of the answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    conn.request("GET", "/j/cafe/meal?lang=ro")
    page = conn.getresponse()
    html = page.read().decode()
    assert page.status == 200
    cookie = (page.getheader("Set-Cookie") or "").split(";")[0]
    between()
    body = urllib.parse.urlencode(
        {"experience": "negative", "why": "Rece", "csrf_token": CSRF.search(html).group(1)}
    )
    conn.request(
        "POST",
        "/j/cafe/meal?lang=ro",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    response = conn.getresponse()
    return response.status, response.read().decode()


def _health(port: int) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    conn.request("GET", "/healthz")
    return conn.getresponse().status


def test_postgresql_stopping_mid_visit_asks_to_try_again_and_the_service_resumes(
    instance, journeys_dir, monkeypatch
):
    cluster = Cluster(free_port()).start()
    server = None
    try:
        url = cluster.new_database()
        monkeypatch.setenv("SURVEYAPP_DATABASE", url)
        with storage.open_database(url) as db:
            storage.journeys.store_journeys(db, [read_definition_file(journeys_dir / "cafe.yaml")])
        storage.dispose_all()
        server, port = start_gunicorn(workers=2)

        status, page = _open_then_answer(port, between=cluster.pause)
        assert status == 503
        assert "Este posibil ca răspunsul dumneavoastră să nu fi fost salvat" in page
        assert _health(port) == 503  # the load balancer stops sending customers here

        cluster.resume()  # no restart of the service: its pool reconnects
        assert _health(port) == 200
        status, _ = _open_then_answer(port)
        assert status == 303
        with storage.open_database(url) as db:
            assert storage.responses.count_responses(db) == 1  # the failed answer left nothing
            assert storage.tallies.moment_tallies(db, "cafe")["meal"]["responses"] == 1
    finally:
        if server is not None:
            stop_server(server)
        storage.dispose_all()
        cluster.stop()
