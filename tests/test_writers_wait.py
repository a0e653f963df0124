"""A customer's answer that waits for SQLite's write lock behind a long transaction (an
import, in another process) waits alone: the other requests of the same gevent worker
are served meanwhile, and the answer is stored once the lock is free."""

from __future__ import annotations

import fcntl
import http.client
import os
import threading

import pytest

from tests.helpers import start_serve, stop_server, wait_until
from tests.test_durability import make_tokens, submit

pytestmark = pytest.mark.sqlite_only  # SQLite's writers' queue


def _waiting_for(lock_file) -> bool:
    """Whether some process waits for this file's flock (the kernel lists blocked
    requests in /proc/locks with "->", by device and inode)."""
    inode = os.fstat(lock_file.fileno()).st_ino
    with open("/proc/locks") as locks:
        return any("->" in line and line.split()[-3].endswith(f":{inode}") for line in locks)


def _page(port: int, done: list) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", "/j/cafe/meal?lang=fr")
    response = conn.getresponse()
    response.read()
    done.append(response.status)


def test_a_survey_page_is_served_while_an_answer_waits_for_the_write_lock(instance, db, loaded):
    (token,) = make_tokens(db, loaded["cafe"], 1)
    server, port = start_serve("--workers", "1")  # one gevent worker: one thread for all
    writers = open(f"{instance / 'surveyapp.db'}-writers", "a")  # noqa: SIM115
    long = open(f"{instance / 'surveyapp.db'}-long", "a")  # noqa: SIM115
    answered: list = []
    held = False
    try:
        # Another process runs a long write transaction (an import), and says so.
        fcntl.flock(long, fcntl.LOCK_EX)
        fcntl.flock(writers, fcntl.LOCK_EX)
        held = True
        answer = threading.Thread(target=lambda: answered.append(submit(port, token)))
        answer.start()
        wait_until(lambda: _waiting_for(writers), "the answer waiting for the write lock")
        shown: list = []
        threading.Thread(target=_page, args=(port, shown), daemon=True).start()
        # The worker's other requests go on while the answer waits for the lock.
        wait_until(lambda: shown == [200], "the survey page served while the answer waits")
        assert answer.is_alive() and answered == []
        fcntl.flock(writers, fcntl.LOCK_UN)
        fcntl.flock(long, fcntl.LOCK_UN)
        held = False
        wait_until(lambda: answered == [303], "the answer stored once the lock is free")
        count = db.exec_driver_sql("SELECT COUNT(*) FROM responses").scalar()
        assert count == 1
    finally:
        if held:
            fcntl.flock(writers, fcntl.LOCK_UN)
        writers.close()
        long.close()
        stop_server(server)
