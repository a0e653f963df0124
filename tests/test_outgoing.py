"""Outgoing requests only where they may go, and never stopped by a receiver that
misbehaves: the guard is tested by its refusals (nothing is sent anywhere but to
listeners on 127.0.0.1, reached as "localhost" where the operator allows that name)."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from surveyapp import storage
from surveyapp.domain import i18n
from surveyapp.services import outgoing, webhooks
from surveyapp.workers import webhooks as webhook_worker
from tests.helpers import free_port, wait_until

pytestmark = pytest.mark.sqlite_only  # the guard and the worker's round, not the engine

LOOPBACK_SPELLINGS = [
    "http://127.0.0.1/hooks",
    "http://127.1/hooks",
    "http://0x7f000001/hooks",
    "http://2130706433/hooks",
    "http://0177.0.0.1/hooks",
    "http://0.0.0.0/hooks",
    "http://[::1]/hooks",
    "http://[::ffff:127.0.0.1]/hooks",
    "http://[64:ff9b::7f00:1]/hooks",  # NAT64 of 127.0.0.1
    "http://[2002:7f00:1::]/hooks",  # 6to4 of 127.0.0.1
    "http://localhost:8080/hooks",  # a name, not allowed here
]
INTERNAL = [
    "http://169.254.169.254/latest/meta-data/",  # the cloud's metadata service
    "http://[fe80::1]/hooks",
    "http://10.1.2.3/hooks",
    "http://172.16.0.1/hooks",
    "http://192.168.1.1/hooks",
    "http://100.64.0.1/hooks",  # carrier-grade NAT
    "http://224.0.0.1/hooks",  # multicast
    "http://240.0.0.1/hooks",  # reserved
    "http://[fc00::1]/hooks",
]


@pytest.mark.parametrize("url", LOOPBACK_SPELLINGS + INTERNAL)
def test_every_spelling_of_an_internal_address_is_refused(url):
    with pytest.raises(outgoing.NotAllowed, match="not a public address"):
        outgoing.destination(url)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://example.com/x", "not a web address"),
        ("http://127.0.0.1:abc/", "the port is not a number"),
        ("http:///hooks", "not a web address"),
        ("http://exa mple.com/", "not a web address"),
        ("http://example.com/\r\nX: y", "not a web address"),
    ],
)
def test_an_address_that_is_not_one_is_refused_in_words(url, why):
    with pytest.raises(outgoing.NotAllowed, match=why):
        outgoing.destination(url)


def test_a_public_address_and_an_allowed_name_pass_the_guard():
    # Checked, not contacted: a numeric address needs no look-up.
    public = outgoing.destination("https://93.184.216.34:8443/hooks?k=1")
    assert (public.port, public.target, public.addresses) == (
        8443,
        "/hooks?k=1",
        ("93.184.216.34",),
    )
    allowed = outgoing.destination("http://LocalHost:9/hooks", allowed_hosts=["localhost"])
    assert "127.0.0.1" in allowed.addresses


class Listener:
    """A TCP listener on 127.0.0.1 that answers each connection with ``reply(socket)``."""

    def __init__(self, reply):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.reply = reply
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn):
        with conn, contextlib.suppress(OSError):  # the client went away: so be it
            self.reply(conn)

    def url(self, path="/hooks"):
        return f"http://localhost:{self.port}{path}"

    def close(self):
        self.sock.close()


@pytest.fixture
def listeners():
    made = []

    def make(reply):
        made.append(Listener(reply))
        return made[-1]

    yield make
    for listener in made:
        listener.close()


def _read_request(conn):
    """The whole request (its headers, then its Content-Length of body, which the client
    sends apart): a listener that closed with some of it unread would reset the
    connection, and the client could see that instead of the answer."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += conn.recv(65536) or b"\r\n\r\n"
    head, body = data.split(b"\r\n\r\n", 1)
    declared = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
    length = int(declared.group(1)) if declared else 0
    while len(body) < length:
        more = conn.recv(65536)
        if not more:
            break
        body += more


def _smtp_banner(conn):
    conn.sendall(b"220 mail.example ESMTP ready\r\n")
    _read_request(conn)


def _redirect(conn):
    _read_request(conn)
    conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: http://x:abc/\r\nContent-Length: 0\r\n\r\n")


def _drip(conn):
    _read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\n")
    for _ in range(600):  # a header byte every 50 ms, for 30 s
        conn.sendall(b"X")
        threading.Event().wait(0.05)


def _ok(conn):
    _read_request(conn)
    conn.sendall(b"HTTP/1.1 204 No Content\r\n\r\n")


def _deliveries(db):
    return {
        row["url"]: row
        for endpoint in storage.webhooks.list_webhooks(db)
        for row in [*storage.webhooks.deliveries(db, endpoint["id"])[:1]]
        for row in [{**row, "url": endpoint["url"]}]
    }


def test_misbehaving_receivers_fail_their_own_delivery_and_never_the_round(
    db, loaded, listeners, monkeypatch
):
    monkeypatch.setattr(outgoing, "TOTAL_SECONDS", 2)
    smtp, redirect, drip, good = (listeners(f) for f in (_smtp_banner, _redirect, _drip, _ok))
    urls = [smtp.url(), redirect.url(), drip.url(), "http://127.0.0.1:abc/hooks", good.url()]
    for url in urls:  # stored as they are: the guard at saving may have been older
        endpoint = storage.webhooks.add_webhook(db, "cafe", url, webhooks.new_secret(), ["test"])
        storage.webhooks.queue_test(db, endpoint, {"journey": "cafe"})
    assert webhook_worker.deliver_due(db, allowed_hosts=["localhost"]) == (1, 4)
    said = {url: i18n.stored_text(row["last_error"], "en") for url, row in _deliveries(db).items()}
    assert said[smtp.url()] == "the receiver did not answer in HTTP"
    assert said[redirect.url()] == "redirected (HTTP 302): redirects are not followed"
    assert said[drip.url()] == "no answer within 2 seconds"
    assert said["http://127.0.0.1:abc/hooks"] == "the port is not a number from 1 to 65535"
    assert said[good.url()] is None
    assert redirect.connections == 1  # the redirect's target was never asked


def test_a_closed_port_is_said_in_words_in_the_managers_language(db, loaded):
    closed = f"http://localhost:{free_port()}/hooks"  # nothing listens there
    endpoint = storage.webhooks.add_webhook(db, "cafe", closed, webhooks.new_secret(), ["t"])
    storage.webhooks.queue_test(db, endpoint, {"journey": "cafe"})
    assert webhook_worker.deliver_due(db, allowed_hosts=["localhost"]) == (0, 1)
    (row,) = storage.webhooks.deliveries(db, endpoint)
    assert i18n.stored_text(row["last_error"], "fr") == (
        "la connexion a été refusée\u202f: rien n’écoute à cette adresse"
    )


def test_an_address_is_checked_again_at_each_delivery(db, loaded, listeners):
    good = listeners(_ok)
    endpoint = storage.webhooks.add_webhook(db, "cafe", good.url(), webhooks.new_secret(), ["t"])
    storage.webhooks.queue_test(db, endpoint, {"journey": "cafe"})
    # The operator no longer allows the name: nothing is sent to where it resolves.
    assert webhook_worker.deliver_due(db, allowed_hosts=[]) == (0, 1)
    (row,) = storage.webhooks.deliveries(db, endpoint)
    assert i18n.stored_text(row["last_error"], "en").startswith(
        "localhost is 127.0.0.1, not a public address"
    )
    assert good.connections == 0


def test_the_cli_refuses_an_internal_address_and_says_why(run_cli, loaded):
    result = run_cli("webhook", "add", "cafe", "http://169.254.169.254/latest/meta-data/")
    assert result.exit_code == 2
    assert "169.254.169.254 is 169.254.169.254, not a public address" in result.output


class _Quiet(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_a_receiver_that_never_answers_is_cut_off_at_the_deadline(db, loaded, monkeypatch):
    monkeypatch.setattr(outgoing, "TOTAL_SECONDS", 2)
    accepted = threading.Event()

    class Silent(_Quiet):
        def do_POST(self):
            accepted.set()
            threading.Event().wait(30)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Silent)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://localhost:{server.server_address[1]}/hooks"
        endpoint = storage.webhooks.add_webhook(db, "cafe", url, webhooks.new_secret(), ["t"])
        storage.webhooks.queue_test(db, endpoint, {"journey": "cafe"})
        assert webhook_worker.deliver_due(db, allowed_hosts=["localhost"]) == (0, 1)
        wait_until(accepted.is_set, "the receiver got the request")
        (row,) = storage.webhooks.deliveries(db, endpoint)
        assert i18n.stored_text(row["last_error"], "en") == "no answer within 2 seconds"
    finally:
        server.shutdown()
        server.server_close()


def test_a_slow_receivers_backlog_never_holds_up_another_endpoint(db, loaded, monkeypatch):
    monkeypatch.setattr(webhook_worker, "ENDPOINT_SECONDS", 1)
    arrived: list[str] = []

    def receiver(name: str, seconds: float) -> ThreadingHTTPServer:
        class Handler(_Quiet):
            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                threading.Event().wait(seconds)  # how long this receiver takes to answer
                arrived.append(name)
                self.send_response(204)
                self.end_headers()

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    slow, fast = receiver("slow", 0.5), receiver("fast", 0)
    try:
        hooks = {}
        for name, server in (("slow", slow), ("fast", fast)):
            url = f"http://localhost:{server.server_address[1]}/hooks"
            hooks[name] = storage.webhooks.add_webhook(
                db, "cafe", url, webhooks.new_secret(), ["t"]
            )
        for _ in range(12):  # the slow receiver's backlog, older than the other's event
            storage.webhooks.queue_test(db, hooks["slow"], {"journey": "cafe"})
        storage.webhooks.queue_test(db, hooks["fast"], {"journey": "cafe"})
        webhook_worker.deliver_due(db, allowed_hosts=["localhost"])
        assert arrived.index("fast") < 2  # sent beside the backlog, not after it
        assert 1 <= arrived.count("slow") < 12
        now = storage.iso(storage.utcnow())
        waiting = [
            r for r in storage.webhooks.deliveries(db, hooks["slow"]) if not r["delivered_at"]
        ]
        # What the round left is due again at once, untried: not leased away.
        assert waiting and all(r["attempts"] == 0 and r["next_attempt_at"] <= now for r in waiting)
    finally:
        for server in (slow, fast):
            server.shutdown()
            server.server_close()
