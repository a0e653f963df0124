"""Background work that never dies silently: `surveyapp serve` starts again a worker that
ends, every worker beats its heart after each round, and /readyz tells the truth."""

from __future__ import annotations

import os
import re
import signal
import sys
import urllib.error
import urllib.request
from datetime import timedelta

import pytest

from surveyapp import storage
from surveyapp.services import webhooks
from surveyapp.workers import rounds, supervisor
from tests.helpers import start_serve, stop_server, wait_until
from tests.test_webhooks import Receiver

pytestmark = pytest.mark.sqlite_only  # processes and their supervision, not the engine


def _readyz(port: int) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=30) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode()


def _beat_of(db, port: int, name: str) -> dict | None:
    if db.in_transaction():
        db.rollback()  # a fresh snapshot: what the workers wrote since the last look
    return next(
        (b for b in storage.heartbeats.beats(db) if b["name"] == name and f":{port}:" in b["node"]),
        None,
    )


def test_a_killed_worker_is_started_again_and_sends_what_waited(db, loaded):
    receiver = Receiver()
    server, port = start_serve()
    try:
        wait_until(lambda: _readyz(port)[0] == 200, "the node ready, its webhook worker beating")
        first = _beat_of(db, port, "webhooks")
        os.kill(first["pid"], signal.SIGKILL)
        endpoint = storage.webhooks.add_webhook(
            db, "cafe", receiver.url, webhooks.new_secret(), ["webhook.test"]
        )
        storage.webhooks.queue_test(db, endpoint, {"journey": "cafe"})
        wait_until(lambda: len(receiver.received) == 1, "the event sent by the new worker")
        # Its heartbeat follows the round that sent the event: wait for it, each look on
        # a fresh snapshot.
        wait_until(
            lambda: _beat_of(db, port, "webhooks")["pid"] != first["pid"],
            "the new worker's heartbeat",
        )
        again = _beat_of(db, port, "webhooks")
        assert again["restarts"] == 1
        assert _readyz(port) == (200, "ok\n")
    finally:
        stop_server(server)
        receiver.close()


def test_readyz_names_a_worker_that_stopped_beating_until_it_beats_again(db, loaded):
    server, port = start_serve(SURVEYAPP_WORKER_STALE_SECONDS="1")
    try:
        wait_until(lambda: _readyz(port)[0] == 200, "the node ready")
        pid = _beat_of(db, port, "webhooks")["pid"]
        os.kill(pid, signal.SIGSTOP)  # alive, so not restarted, but doing nothing
        try:
            # Late after three of its 2 s rounds without a beat.
            wait_until(lambda: _readyz(port)[0] == 503, "/readyz refusing the node")
            assert _readyz(port) == (503, "late background workers: webhooks\n")
        finally:
            os.kill(pid, signal.SIGCONT)
        wait_until(lambda: _readyz(port)[0] == 200, "/readyz ready again")
    finally:
        stop_server(server)


def test_a_round_that_fails_unexpectedly_is_recorded_and_ends_the_worker(instance, loaded, db):
    def broken(_db):
        raise RuntimeError("a bug of ours")

    database = str(instance / "surveyapp.db")
    with pytest.raises(RuntimeError):
        rounds.run(broken, name="test", database=database, loop=True, interval=1, warn=print)
    (beat,) = [b for b in storage.heartbeats.beats(db) if b["name"] == "test"]
    assert beat["last_error"] == "RuntimeError: a bug of ours" and beat["failures"] == 1


def test_the_supervisor_starts_again_a_worker_that_keeps_ending(tmp_path):
    starts = tmp_path / "starts"
    command = [
        sys.executable,
        "-c",
        f"open({str(starts)!r}, 'a').write('x'); raise SystemExit(3)",
    ]
    watcher = supervisor.Supervisor({"flaky": command}, poll_seconds=0.05)
    watcher.start()
    try:
        # Waits of 1, then 2 s between its first starts: three starts within a deadline.
        wait_until(lambda: starts.exists() and len(starts.read_text()) >= 3, "three starts")
        assert watcher.restarts["flaky"] >= 2
    finally:
        watcher.stop()
    assert all(p.poll() is not None for p in watcher.processes.values())


def test_the_admin_sees_each_worker_and_queue_and_viewers_do_not(manager, viewer, db, loaded):
    now = storage.utcnow()
    storage.heartbeats.beat(
        db,
        node="web-1:8000:42",
        name="webhooks",
        pid=43,
        started_at=now,
        every_seconds=2,
        now=now - timedelta(minutes=5),
        error="The database is unavailable; trying again.",
    )
    storage.heartbeats.beat(
        db, node="web-1:8000:42", name="digest", pid=44, started_at=now, every_seconds=60, now=now
    )
    endpoint = storage.webhooks.add_webhook(
        db, "cafe", "https://crm.example/hooks", webhooks.new_secret(), ["webhook.test"]
    )
    storage.webhooks.queue_test(db, endpoint, {"journey": "cafe"})
    page = manager.get("/admin/workers")
    assert page.status_code == 200
    rows = {
        cells[0]: cells
        for cells in (
            [
                re.sub(r"<[^>]+>|\s+", " ", c).strip()
                for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
            ]
            for tr in re.findall(r"<tr>(.*?)</tr>", page.get_data(as_text=True), re.S)
        )
    }
    assert rows["Webhooks"][2] == "en retard" and rows["Webhooks"][3] == "5 minutes"
    assert rows["Webhooks"][7].startswith("The database is unavailable")
    assert rows["Récapitulatifs"][2] == "au travail"
    assert rows["Livraisons de webhooks"][1] == "1"
    assert viewer.get("/admin/workers").status_code == 403


def test_the_workers_command_shows_the_same_from_any_node(run_cli, db, loaded):
    now = storage.utcnow()
    storage.heartbeats.beat(
        db,
        node="web-2:8000:7",
        name="mail",
        pid=8,
        started_at=now,
        every_seconds=2,
        now=now - timedelta(minutes=10),
    )
    lines = run_cli("workers").output.splitlines()
    (mail,) = [line.split("\t") for line in lines if line.startswith("web-2")]
    assert mail[1:3] == ["mail", "8"] and mail[7] == "LATE"
    assert "mail\t0\t-\t0" in lines
