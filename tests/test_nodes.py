"""Two `surveyapp serve` nodes on one PostgreSQL database, as behind a load balancer:
every guarantee of one SQLite file holds across them, and a node that dies loses nothing."""

from __future__ import annotations

import contextlib
import http.client
import http.cookiejar
import itertools
import json
import os
import queue
import re
import signal
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest

from surveyapp import storage
from surveyapp.services import accounts, apikeys, webhooks
from tests.helpers import record_scored, sql, start_serve, stop_server, wait_until
from tests.test_durability import check_consistency, make_tokens, submit
from tests.test_webhooks import Receiver

pytestmark = [pytest.mark.postgresql_only, pytest.mark.browser]  # real servers, SIGKILL
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _delivered(db) -> int:
    return sql(db, "SELECT COUNT(*) FROM webhook_outbox WHERE delivered_at IS NOT NULL").fetchone()[
        0
    ]


@contextlib.contextmanager
def two_nodes(**env: str):
    """Nodes A and B (``surveyapp serve`` each, with its background workers) on this
    test's PostgreSQL database; their ports."""
    a, port_a = start_serve("--workers", "2", **env)
    try:
        b, port_b = start_serve("--workers", "2", **env)
    except BaseException:
        stop_server(a)
        raise
    try:
        yield (a, port_a), (b, port_b)
    finally:
        for node in (a, b):
            if node.poll() is None:
                stop_server(node)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A visitor with one cookie jar, whichever node answers (cookies ignore ports, as a
    load balancer's one address would)."""

    def __init__(self):
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirects
        )

    def get(self, port: int, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(f"http://127.0.0.1:{port}{path}", timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def post(self, port: int, path: str, data: dict) -> int:
        body = urllib.parse.urlencode(data).encode()
        try:
            with self.opener.open(f"http://127.0.0.1:{port}{path}", body, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code


def test_a_survey_page_from_one_node_is_answered_on_the_other(db, loaded):
    (token,) = make_tokens(db, loaded["cafe"], 1)
    with two_nodes() as ((_, port_a), (_, port_b)):
        visitor = Browser()
        status, page = visitor.get(port_a, f"/s/{token}")
        assert status == 200
        form = {"experience": "positive", "csrf_token": CSRF.search(page).group(1)}
        assert visitor.post(port_b, f"/s/{token}", form) == 303
    assert storage.responses.count_responses(db) == 1


def test_two_clients_one_per_node_racing_on_each_link_store_one_answer_each(db, loaded):
    tokens = make_tokens(db, loaded["cafe"], 60)
    statuses: list[int | None] = []
    with two_nodes() as ((_, port_a), (_, port_b)):

        def race(token):
            barrier = threading.Barrier(2)
            pair = [
                threading.Thread(
                    target=lambda p=port: statuses.append(submit(p, token, together=barrier))
                )
                for port in (port_a, port_b)
            ]
            for thread in pair:
                thread.start()
            for thread in pair:
                thread.join()

        groups = [
            threading.Thread(target=lambda ts=tokens[i::6]: [race(t) for t in ts]) for i in range(6)
        ]
        for thread in groups:
            thread.start()
        for thread in groups:
            thread.join()
    assert len(statuses) == 120 and None not in statuses, f"a client got no answer: {statuses}"
    assert storage.responses.count_responses(db) == 60
    assert statuses.count(303) == 60 and statuses.count(200) == 60
    check_consistency(db)


def test_a_node_killed_mid_burst_loses_no_acknowledged_answer(db, loaded):
    tokens = make_tokens(db, loaded["cafe"], 240)
    outcomes: dict[str, int | None] = {}
    todo: queue.Queue[str] = queue.Queue()
    for token in tokens:
        todo.put(token)
    with two_nodes() as ((node_a, port_a), (_, port_b)):
        confirmed_on_a = itertools.count(1)
        lock = threading.Lock()

        def client(number):
            port = port_a if number % 2 else port_b
            while True:
                try:
                    token = todo.get_nowait()
                except queue.Empty:
                    return
                outcomes[token] = status = submit(port, token)
                if status == 303 and port == port_a:
                    with lock:
                        if next(confirmed_on_a) == 40:
                            os.killpg(node_a.pid, signal.SIGKILL)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert node_a.poll() is not None, "node A was not killed"
        # The load balancer sends the customers whose answer failed to node B.
        unconfirmed = [t for t in tokens if outcomes.get(t) != 303]
        assert unconfirmed, "the kill did not land mid-burst"
        retried = {t: submit(port_b, t) for t in unconfirmed}
    assert set(retried.values()) <= {200, 303}, retried
    assert storage.responses.count_responses(db) == len(tokens)  # every link answered exactly once
    check_consistency(db)


def test_an_admin_session_opened_on_one_node_works_on_the_other(db, loaded):
    accounts.create(db, "ana", "correct horse battery", "admin")
    with two_nodes() as ((_, port_a), (_, port_b)):
        manager = Browser()
        _, page = manager.get(port_a, "/admin/login?lang=fr")
        form = {
            "username": "ana",
            "password": "correct horse battery",
            "csrf_token": CSRF.search(page).group(1),
        }
        assert manager.post(port_a, "/admin/login", form) == 303
        status, page = manager.get(port_b, "/admin/")
        assert status == 200 and "Café des Arts" in page


def test_with_both_nodes_delivering_each_webhook_event_arrives_once(db, loaded):
    # A slow receiver: each node's worker is still sending what it claimed when the
    # other one looks for due events.
    receiver = Receiver(delay=0.3)
    try:
        storage.webhooks.add_webhook(
            db, "cafe", receiver.url, webhooks.new_secret(), ["response.created"]
        )
        with two_nodes() as ((_, port_a), (_, port_b)):
            for i, token in enumerate(make_tokens(db, loaded["cafe"], 30)):
                assert submit(port_a if i % 2 else port_b, token) == 303
            wait_until(lambda: _delivered(db) == 30, "all 30 events marked delivered")
        ids = [headers["webhook-id"] for headers, _ in receiver.received]
        # Each delivery was attempted once (a second claim would count a second attempt,
        # whenever its request arrived) and arrived once.
        assert sql(db, "SELECT SUM(attempts) FROM webhook_outbox").fetchone()[0] == 30
        assert len(ids) == len(set(ids)) == 30
    finally:
        receiver.close()


def test_with_both_nodes_running_the_digest_it_is_sent_once(db, loaded, smtp_server):
    smtp_server.delay = 4  # one node is still sending when the other's round comes
    for _ in range(3):
        record_scored(db, loaded["cafe"], "meal", {"experience": "negative"})
    with two_nodes(SURVEYAPP_DIGEST_TO="cx@cafe.example", SURVEYAPP_DIGEST_EVERY_MINUTES="0.02"):
        # Rounds come every 1.2 s on each node and a sending takes 4 s: the other node's
        # rounds fall while the first one sends. Once the digest is marked sent and no
        # sending is in progress, any second digest would have begun.
        wait_until(
            lambda: (
                sql(db, "SELECT COUNT(*) FROM digest_marks").fetchone()[0]
                and smtp_server.begun == len(smtp_server.messages) >= 1
            ),
            "the digest marked sent, with no sending in progress",
        )
    assert smtp_server.begun == 1
    assert len(smtp_server.to("cx@cafe.example")) == 1


def test_one_idempotency_key_sent_to_both_nodes_at_once_creates_once(db, loaded):
    key = apikeys.create(db, "crm")
    body = json.dumps({"journey": "cafe", "moment": "bill", "customer": "C-42"}).encode()
    with two_nodes() as ((_, port_a), (_, port_b)):
        start = threading.Barrier(2)
        answers: list[tuple[int, str | None]] = []

        def post(port):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            headers = {
                "Authorization": f"Bearer {key}",
                "Content-Type": "application/json",
                "Idempotency-Key": "order-7781",
            }
            start.wait(timeout=60)
            conn.request("POST", "/api/v1/invitations", body=body, headers=headers)
            response = conn.getresponse()
            answers.append((response.status, response.getheader("Idempotent-Replayed")))
            response.read()

        pair = [threading.Thread(target=post, args=(p,)) for p in (port_a, port_b)]
        for thread in pair:
            thread.start()
        for thread in pair:
            thread.join()
    assert sorted(answers, key=lambda answer: answer[1] is not None) == [
        (201, None),
        (201, "true"),
    ]
    assert sql(db, "SELECT COUNT(*) FROM invitations").fetchone()[0] == 1
