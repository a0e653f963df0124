"""The supervisor ``surveyapp serve`` runs beside its web workers: each background worker
(webhooks, mail, digest, replication) is a process of its own, and one that ends is
started again, each kind on its own, after a wait that grows (to 8 s) while it keeps
failing.

Why our own rather than a task library (Huey, Dramatiq, procrastinate): the work already
waits in tables of our database (the webhook outbox and the mail queue are written in
the same transaction as the answer that causes them, which a separate queue could not
join), claimed with leases so that several nodes on PostgreSQL share it; Dramatiq needs a
broker the README's commands do not start, procrastinate needs PostgreSQL, Huey's SQLite
storage would be a second database. What was missing was only this: restart what ends,
and let every worker say it is alive (workers/rounds.py's heartbeat).
"""

from __future__ import annotations

import logging
import subprocess  # nosec B404 - our own interpreter with fixed arguments
import threading
import time
from collections.abc import Mapping, Sequence

log = logging.getLogger(__name__)

#: Waits before each restart of a worker that keeps ending (seconds); a worker that ran
#: for HEALTHY_SECONDS starts again from the first. Capped at 8 s: a worker in a crash
#: loop costs a process start every 8 s, and one that recovers is back within 10 s.
BACKOFF = (1, 2, 4, 8)
HEALTHY_SECONDS = 60


class Supervisor:
    """Keeps each named command running until :meth:`stop`."""

    def __init__(self, commands: Mapping[str, Sequence[str]], poll_seconds: float = 0.5):
        self.commands = {name: list(argv) for name, argv in commands.items()}
        self.processes: dict[str, subprocess.Popen] = {}
        self.restarts = dict.fromkeys(self.commands, 0)
        self._poll = poll_seconds
        self._started: dict[str, float] = {}
        self._failures = dict.fromkeys(self.commands, 0)
        self._due: dict[str, float] = {}
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="supervisor", daemon=True)

    def start(self) -> None:
        for name in self.commands:
            self._launch(name)
        self._thread.start()

    def _launch(self, name: str) -> None:
        self.processes[name] = subprocess.Popen(self.commands[name])  # noqa: S603 # nosec B603
        self._started[name] = time.monotonic()

    def _watch(self) -> None:
        while not self._stopping.wait(self._poll):
            now = time.monotonic()
            for name, process in list(self.processes.items()):
                if name in self._due:
                    if now >= self._due[name] and not self._stopping.is_set():
                        del self._due[name]
                        self.restarts[name] += 1
                        log.warning("background worker %s: starting it again", name)
                        self._launch(name)
                    continue
                code = process.poll()
                if code is None:
                    continue
                ran = now - self._started[name]
                self._failures[name] = 0 if ran >= HEALTHY_SECONDS else self._failures[name] + 1
                wait = BACKOFF[min(self._failures[name], len(BACKOFF) - 1)]
                log.warning(
                    "background worker %s ended (exit status %s) after %.0f s; "
                    "starting it again in %s s",
                    name,
                    code,
                    ran,
                    wait,
                )
                self._due[name] = now + wait

    def stop(self, timeout: float = 30) -> None:
        """Stop watching, then end every worker (SIGTERM, and SIGKILL after ``timeout``)."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join()
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
