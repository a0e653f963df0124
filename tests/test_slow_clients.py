"""Slow clients must not starve everyone: while 20 clients each send their request one
byte a second, `surveyapp serve` as shipped keeps answering normal visitors.

What a visitor would notice is being starved (no answer at all while the slow clients
hold the workers), so each visit may take up to WITHIN seconds, generous for a busy
machine; how fast visits are answered under such an attack is a benchmark's business."""

from __future__ import annotations

import http.client
import socket
import threading
import time

import pytest

from tests.helpers import start_serve, stop_server, wait_until

pytestmark = [
    pytest.mark.browser,
    pytest.mark.sqlite_only,
]  # a real server under load; sqlite_only: the web server's behaviour, the same on either engine

ATTACKERS = 20
VISITS = 10
WITHIN = 20.0  # seconds a normal visitor may wait before we call it starved


def slow_client(port: int, stop: threading.Event, trickling: list) -> None:
    """Open a request and send it one byte a second, never finishing it."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(b"GET /j/cafe/meal HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        sock.sendall(b"X")
        trickling.append(sock)
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
    trickling: list = []
    attackers = [
        threading.Thread(target=slow_client, args=(port, stop, trickling), daemon=True)
        for _ in range(ATTACKERS)
    ]
    try:
        for attacker in attackers:
            attacker.start()
        wait_until(lambda: len(trickling) == ATTACKERS, "every slow client trickling")
        times = [visit(port) for _ in range(VISITS)]  # while every slow client is in
        still_held = sum(thread.is_alive() for thread in attackers)
    finally:
        stop.set()
        for attacker in attackers:
            attacker.join(timeout=5)
        stop_server(server)
    slowest = max((t for t in times if t is not None), default=None)
    print(f"{VISITS} visits while {still_held} slow clients held on; slowest {slowest} s")
    assert None not in times, f"visits starved: {times}"
