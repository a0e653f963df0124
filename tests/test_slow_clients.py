"""Slow clients must not starve everyone: while 20 clients each send their request one
byte a second, `surveyapp serve` as shipped keeps answering normal visitors."""

from __future__ import annotations

import http.client
import socket
import threading
import time

import pytest

from tests.helpers import start_serve, stop_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.sqlite_only,
]  # a real server under load; sqlite_only: the web server's behaviour, the same on either engine

ATTACKERS = 20
ATTACK_SECONDS = 8
VISITS = 30
WITHIN = 3.0  # seconds a normal visitor may wait


def slow_client(port: int, stop: threading.Event) -> None:
    """Open a request and send it one byte a second, never finishing it."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(b"GET /j/cafe/meal HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        while not stop.wait(1):
            try:
                sock.sendall(b"X")
            except OSError:
                return  # the server hung up on us: fine


def visit(port: int) -> float | None:
    """One normal page view; how long it took, or None if it failed or took too long."""
    begun = time.monotonic()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WITHIN)
        conn.request("GET", "/j/cafe/meal?lang=fr")
        response = conn.getresponse()
        response.read()
        conn.close()
    except (OSError, http.client.HTTPException):
        return None
    return time.monotonic() - begun if response.status == 200 else None


def test_normal_visitors_are_answered_while_slow_clients_hold_connections(instance, loaded):
    server, port = start_serve()
    stop = threading.Event()
    attackers = [
        threading.Thread(target=slow_client, args=(port, stop), daemon=True)
        for _ in range(ATTACKERS)
    ]
    try:
        for attacker in attackers:
            attacker.start()
        time.sleep(2)  # every slow request is in, and has been trickling for a while
        deadline = time.monotonic() + ATTACK_SECONDS - 2
        times = []
        while len(times) < VISITS and time.monotonic() < deadline:
            times.append(visit(port))
            time.sleep(0.1)
    finally:
        stop.set()
        for attacker in attackers:
            attacker.join(timeout=5)
        stop_server(server)
    answered = [t for t in times if t is not None and t <= WITHIN]
    slowest = max((t for t in times if t is not None), default=None)
    print(f"{len(answered)} of {len(times)} visits answered within {WITHIN} s; slowest {slowest}")
    assert len(times) >= VISITS / 2  # the visits really happened during the attack
    assert len(answered) >= 0.9 * len(times), f"{len(answered)} of {len(times)} within {WITHIN} s"
