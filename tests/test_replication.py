"""Nothing lost when the machine dies: serve replicates the database with Litestream, and
`surveyapp restore` brings back every answer acknowledged a moment before the crash."""

from __future__ import annotations

import os
import queue
import signal
import sqlite3
import subprocess
import threading
import time

import pytest

from tests.helpers import SURVEYAPP, start_serve, stop_server, wait_until
from tests.test_durability import make_tokens, submit

pytestmark = [
    pytest.mark.browser,  # real processes: gunicorn, Litestream, a SIGKILL
    pytest.mark.sqlite_only,  # Litestream replicates a SQLite file
]

#: Answers acknowledged longer than this before the crash must all come back. Litestream
#: syncs the WAL to the replica every second.
BOUND_SECONDS = 3.0
#: The machine dies once this many answers are acknowledged and BOUND_SECONDS more have
#: passed since the first (so some are older than the bound), whatever the machine's pace.
ACKNOWLEDGED_BEFORE_CRASH = 200


def test_a_restored_replica_holds_every_answer_acknowledged_before_the_crash(
    instance, db, db_path, loaded, tmp_path
):
    replica = tmp_path / "replica"
    tokens = make_tokens(db, loaded["cafe"], 3000)
    db.close()
    server, port = start_serve("--workers", "2", SURVEYAPP_REPLICA_URL=str(replica))
    acknowledged: dict[str, float] = {}
    todo: queue.Queue[str] = queue.Queue()
    for token in tokens:
        todo.put(token)
    stop = threading.Event()

    def customer():
        while not stop.is_set():
            try:
                token = todo.get_nowait()
            except queue.Empty:
                return
            if submit(port, token) == 303:
                acknowledged[token] = time.monotonic()
            time.sleep(0.01)

    customers = [threading.Thread(target=customer) for _ in range(4)]
    for thread in customers:
        thread.start()
    # Answers keep coming in while the machine dies: some acknowledged longer than the
    # bound before it, some just before it.
    wait_until(
        lambda: (
            len(acknowledged) >= ACKNOWLEDGED_BEFORE_CRASH
            and time.monotonic() - min(list(acknowledged.values())) > BOUND_SECONDS + 1
        ),
        f"{ACKNOWLEDGED_BEFORE_CRASH} answers acknowledged",
        timeout=120,
    )
    os.killpg(server.pid, signal.SIGKILL)  # the web workers and Litestream at once
    crashed = time.monotonic()
    still_coming = not todo.empty()
    stop.set()
    for thread in customers:
        thread.join()
    stop_server(server)
    for suffix in ("", "-wal", "-shm"):  # the disk is gone
        db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)

    restored = subprocess.run(
        [SURVEYAPP, "restore"],
        env={**os.environ, "SURVEYAPP_REPLICA_URL": str(replica)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert restored.returncode == 0, restored.stderr
    with sqlite3.connect(db_path) as back:
        answered = {
            token
            for (token,) in back.execute(
                "SELECT token FROM invitations WHERE answered_at IS NOT NULL"
            )
        }
        responses = back.execute("SELECT COUNT(*) FROM responses").fetchone()[0]
    lost = {t: crashed - at for t, at in acknowledged.items() if t not in answered}
    print(
        f"{len(acknowledged)} answers acknowledged, {len(lost)} lost, all within "
        f"{max(lost.values(), default=0):.2f} s of the crash"
    )
    assert still_coming  # real traffic went on until the crash
    assert any(crashed - at > BOUND_SECONDS for at in acknowledged.values())
    assert responses == len(answered)  # the restored database is consistent
    assert [t for t, age in lost.items() if age > BOUND_SECONDS] == []


def test_restore_refuses_to_overwrite_a_database_and_says_what_is_missing(instance, db_path):
    db_path.write_bytes(b"")
    env = {**os.environ, "SURVEYAPP_REPLICA_URL": "file:///nonexistent"}
    refused = subprocess.run([SURVEYAPP, "restore"], env=env, capture_output=True, text=True)
    assert refused.returncode == 1 and "exists" in refused.stderr
    unset = subprocess.run(
        [SURVEYAPP, "restore", "--to", str(db_path) + ".new"],
        env={k: v for k, v in os.environ.items() if k != "SURVEYAPP_REPLICA_URL"},
        capture_output=True,
        text=True,
    )
    assert unset.returncode == 1 and "REPLICA_URL is not set" in unset.stderr


def test_a_wrong_replica_url_refuses_to_serve(instance, loaded):
    result = subprocess.run(
        [SURVEYAPP, "serve", "--port", "1"],
        env={**os.environ, "SURVEYAPP_SECRET_KEY": "k", "SURVEYAPP_REPLICA_URL": "ftp://x/y"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1 and "REPLICA_URL is a folder" in result.stderr
