"""A customer's answer that waits for SQLite's write lock behind a long transaction (an
import, in another process) waits alone: the other requests of the same gevent worker
are served meanwhile, and the answer is stored once the lock is free; two answers of one
worker never wait for each other."""

from __future__ import annotations

import fcntl
import http.client
import os
import subprocess
import sys
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


#: Two writers of one gevent process, the first resumed only after the second arrives.
TWO_GREENLETS = """
from gevent import monkey

monkey.patch_all()
import fcntl, os, sys, time
import gevent
from surveyapp import storage

path = sys.argv[1]
first_db, second_db = storage.connect(path), storage.connect(path)
writers, long, probe = (open(f"{path}-{name}", "a") for name in ("writers", "long", "writers"))
row = "INSERT INTO api_buckets (key_id, tokens, updated) VALUES (?, 1, 1)"
# Another process's long transaction (an import) holds the writers' lock, and says so.
fcntl.flock(long, fcntl.LOCK_EX)
fcntl.flock(writers, fcntl.LOCK_EX)


def first():
    with storage.transaction(first_db):
        first_db.exec_driver_sql(row, (1,))


def queued_behind(lock_file) -> bool:
    inode = os.fstat(lock_file.fileno()).st_ino
    with open("/proc/locks") as locks:
        return any("->" in line and line.split()[-3].endswith(f":{inode}") for line in locks)


waiting = gevent.spawn(first)
deadline = time.monotonic() + 20
while not queued_behind(writers):  # the first answer waits in gevent's thread pool
    if time.monotonic() > deadline:
        sys.exit("the first writer never waited for the lock")
    gevent.idle()  # a yield to the hub (the first answer runs), no fixed wait
fcntl.flock(writers, fcntl.LOCK_UN)
fcntl.flock(long, fcntl.LOCK_UN)
deadline = time.monotonic() + 20
while True:  # without yielding: until the first answer's thread has taken the lock
    try:
        fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(probe, fcntl.LOCK_UN)
    except BlockingIOError:
        break
    if time.monotonic() > deadline:
        sys.exit("the first writer never took the lock")
# A second answer of the same worker arrives before the first is resumed.
with storage.transaction(second_db):
    second_db.exec_driver_sql(row, (2,))
waiting.join()
print("both stored")
"""


def test_two_answers_of_one_gevent_worker_never_wait_for_each_other_for_ever(db_path, db):
    finished = subprocess.run(
        [sys.executable, "-c", TWO_GREENLETS, str(db_path)],
        capture_output=True,
        text=True,
        timeout=60,  # before the fix: the second blocked the hub, and nothing ever ended
    )
    assert finished.stdout.strip() == "both stored", finished.stderr
    stored = db.exec_driver_sql("SELECT key_id FROM api_buckets ORDER BY key_id").fetchall()
    assert [k for (k,) in stored] == [1, 2]
