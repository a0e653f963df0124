"""Nothing lost, nothing counted twice: a real server killed with SIGKILL mid-burst,
and two clients racing on every link."""

from __future__ import annotations

import http.client
import itertools
import json
import os
import queue
import re
import signal
import threading
import urllib.parse

import pytest

from surveyapp import storage
from surveyapp.services import invitations
from tests.helpers import CSRF, sql, start_gunicorn, stop_server

pytestmark = pytest.mark.browser  # real server processes, like the browser tests


def submit(
    port: int,
    token: str,
    answer: str = "negative",
    together: threading.Barrier | None = None,
    post_port: int | None = None,
) -> int | None:
    """Open the link and send the form as a browser would; the final status, or None.

    With ``together``, the form is sent only when every client of that barrier has its
    page open, so their posts really arrive at the same time; a client whose partner
    never got its page fails loudly (BrokenBarrierError), never reads as a lost answer.
    With ``post_port``, the form goes to another server than the page came from (another
    node). Timeouts are generous: on a busy machine a page may take seconds, and a
    client that gives up is not what these tests look for.
    """
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", f"/s/{token}")
        page = conn.getresponse()
        html = page.read().decode()
        cookie = (page.getheader("Set-Cookie") or "").split(";")[0]
        match = CSRF.search(html)
        if together is not None:
            together.wait(timeout=120)
        if page.status != 200 or not match:
            return page.status
        if post_port is not None:
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", post_port, timeout=60)
        body = urllib.parse.urlencode(
            {"experience": answer, "why": "Supa rece", "csrf_token": match.group(1)}
        )
        conn.request(
            "POST",
            f"/s/{token}",
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
        )
        response = conn.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):  # refused, reset, or cut off mid-answer
        return None


def make_tokens(db, journey, n: int) -> list[str]:
    requests = [invitations.Request(f"C-{i}", None, "ro") for i in range(n)]
    outcomes = invitations.create(
        db,
        journey,
        "meal",
        requests,
        base_url="http://x",
        valid_days=30,
        budget=invitations.Budget(0),
    )
    return [o.token for o in outcomes]


def check_consistency(db) -> None:
    if db.dialect.name == "sqlite":
        assert sql(db, "PRAGMA integrity_check").fetchone() == ("ok",)
    answered = sql(db, "SELECT COUNT(*) FROM invitations WHERE answered_at IS NOT NULL").fetchone()[
        0
    ]
    responses = storage.responses.count_responses(db)
    assert responses == answered
    assert (
        sql(db, "SELECT COALESCE(SUM(responses), 0) FROM daily_tallies").fetchone()[0] == responses
    )
    assert (
        sql(db, "SELECT COALESCE(SUM(negative), 0) FROM daily_tallies").fetchone()[0]
        == sql(db, "SELECT COUNT(*) FROM followups").fetchone()[0]
    )
    assert (
        sql(
            db,
            "SELECT COUNT(*) FROM responses r LEFT JOIN invitations i "
            "ON i.id = r.invitation_id WHERE i.answered_at IS NULL",
        ).fetchone()[0]
        == 0
    )


def test_a_server_killed_mid_burst_loses_no_confirmed_answer(db, loaded):
    tokens = make_tokens(db, loaded["cafe"], 400)
    server, port = start_gunicorn(workers=3)
    outcomes: dict[str, int | None] = {}
    todo: queue.Queue[str] = queue.Queue()
    for token in tokens:
        todo.put(token)
    confirmed_count = itertools.count(1)
    lock = threading.Lock()

    def client():
        while True:
            try:
                token = todo.get_nowait()
            except queue.Empty:
                return
            outcomes[token] = status = submit(port, token)
            if status == 303:
                with lock:
                    if next(confirmed_count) == 100:
                        # The kill point is the 100th confirmed answer itself, however fast
                        # the machine: the other clients are in the middle of theirs.
                        os.killpg(server.pid, signal.SIGKILL)

    threads = [threading.Thread(target=client) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop_server(server)
    confirmed = {t for t, status in outcomes.items() if status == 303}
    unconfirmed = [t for t in tokens if t not in confirmed]
    assert 100 <= len(confirmed) < len(tokens), "the kill did not land mid-burst"

    server, port = start_gunicorn(workers=3)  # back up; customers with no answer try again
    try:
        retried = {t: submit(port, t) for t in unconfirmed}
    finally:
        stop_server(server)
    assert all(status in (200, 303) for status in retried.values()), set(retried.values())
    for token in confirmed:
        invitation = storage.invitations.get_invitation(db, token)
        assert (
            sql(
                db, "SELECT COUNT(*) FROM responses WHERE invitation_id = ?", [invitation["id"]]
            ).fetchone()[0]
            == 1
        )
    assert storage.responses.count_responses(db) == len(tokens)
    check_consistency(db)


def test_two_clients_racing_on_each_of_100_links_store_100_responses(db, loaded):
    tokens = make_tokens(db, loaded["cafe"], 100)
    server, port = start_gunicorn(workers=4)
    statuses: list[int | None] = []
    try:

        def race(token):
            together = threading.Barrier(2)
            pair = [
                threading.Thread(
                    target=lambda: statuses.append(submit(port, token, together=together))
                )
                for _ in range(2)
            ]
            for thread in pair:
                thread.start()
            for thread in pair:
                thread.join()

        groups = [
            threading.Thread(target=lambda ts=tokens[i::10]: [race(t) for t in ts])
            for i in range(10)
        ]
        for thread in groups:
            thread.start()
        for thread in groups:
            thread.join()
    finally:
        stop_server(server)
    assert len(statuses) == 200 and None not in statuses, f"a client got no answer: {statuses}"
    assert storage.responses.count_responses(db) == 100
    assert statuses.count(303) == 100  # one winner per link; the other is told "already"
    assert statuses.count(200) == 100
    check_consistency(db)
    assert re.fullmatch(r"[\w-]{22}", tokens[0])


def test_concurrent_api_clients_creating_invitations_never_fail(db, loaded):
    from surveyapp.services import apikeys

    key = apikeys.create(db, "load")
    server, port = start_gunicorn(workers=4)
    statuses: list[int] = []

    def client(number):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for i in range(25):
            body = json.dumps(
                {"journey": "cafe", "moment": "bill", "customer": f"T{number}-{i % 20}"}
            )
            conn.request(
                "POST",
                "/api/v1/invitations",
                body=body,
                headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
            )
            response = conn.getresponse()
            response.read()
            statuses.append(response.status)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        stop_server(server)
    # 160 different customers: one invitation each; their 40 repeats are skipped (budget).
    assert sorted(set(statuses)) == [200, 201]
    assert statuses.count(201) == 160 and statuses.count(200) == 40
    assert sql(db, "SELECT COUNT(*) FROM invitations").fetchone()[0] == 160
