"""What the load benchmarks share: gunicorn on 127.0.0.1, and wrk's figures as JSON."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_JOURNEYS = ROOT / "surveyapp" / "cli" / "demo_journeys"

#: wrk's done() hook, appended to each script: one JSON line with the run's figures.
WRK_DONE = """
function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format("JSON {\\"requests\\": %d, \\"seconds\\": %f, \\"p50\\": %f, "
    .. "\\"p99\\": %f, \\"errors\\": %d}\\n", summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(
    app_spec: str, workers: int, env: dict, worker_class: str | None = None
) -> tuple[subprocess.Popen, int]:
    """``app_spec`` under gunicorn with the worker settings `surveyapp serve` ships
    (worker class, threads, connections per worker, timeouts), so that a benchmark
    measures what runs in production; the same for the real app and the baseline.
    ``worker_class`` (say "sync") replaces the shipped one, for all alike."""
    from surveyapp.web.server import PRODUCTION_OPTIONS as shipped

    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            worker_class or shipped["worker_class"],
            "--worker-connections",
            str(shipped["worker_connections"]),
            "--timeout",
            str(shipped["timeout"]),
            "--no-control-socket",
            "--config",
            "python:benchmarks.gunicorn_config",  # preloaded, heap shared: as serve does
            "--keep-alive",
            str(shipped["keepalive"]),
            app_spec,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(400):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.1):
                return process, port
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{app_spec} did not start")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


WRK_THREADS = 2


def run_wrk(
    script: str, port: int, *, connections: int, duration: int, workdir: Path, args: list[str]
) -> dict:
    """Run wrk with a Lua ``script`` (WRK_DONE appended) against 127.0.0.1:port; its figures,
    with requests/s added. ``args`` go to the script's init()."""
    path = workdir / f"bench-{port}.lua"
    path.write_text(script + WRK_DONE)
    result = subprocess.run(
        [
            "wrk",
            "-t",
            str(WRK_THREADS),
            "-c",
            str(connections),
            "-d",
            f"{duration}s",
            "--timeout",
            "5s",
            "-s",
            str(path),
            f"http://127.0.0.1:{port}",
            "--",
            *args,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(result.stdout.split("JSON ", 1)[1])
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


def csrf_of(page: str) -> str:
    """The CSRF token of the first form on a page."""
    import re

    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def logged_in(app, username: str = "bench", password: str = "benchmark password"):
    """A test client of ``app`` logged in to the admin area (the account must exist)."""
    client = app.test_client()
    token = csrf_of(client.get("/admin/login").get_data(as_text=True))
    client.post(
        "/admin/login", data={"username": username, "password": password, "csrf_token": token}
    )
    return client


def median_ms(client, path: str, repeat: int) -> float:
    """The median server time of ``repeat`` GETs of ``path`` (Flask's test client, after
    one to warm up, which must answer 200), in milliseconds."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        client.get(path)
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def cafe_database(prefix: str, database: str | None):
    """A fresh instance folder (``prefix``) with the café journey stored and an admin
    ``bench`` (password "benchmark password"), on ``database`` or a SQLite file there:
    its connection and the journey."""
    instance = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ["SURVEYAPP_INSTANCE_PATH"] = str(instance)
    if database:
        os.environ["SURVEYAPP_DATABASE"] = database

    from surveyapp import storage
    from surveyapp.domain.definitions import read_definition_file
    from surveyapp.services import accounts

    db = storage.open_database(database or instance / "surveyapp.db")
    journey = read_definition_file(DEMO_JOURNEYS / "cafe.yaml")
    storage.journeys.store_journeys(db, [journey])
    accounts.create(db, "bench", "benchmark password", "admin")
    return db, journey


def on_engine(measure, args) -> None:
    """Run ``measure(args, database)``: on SQLite (``database`` None), or with
    ``args.postgres`` on a throwaway PostgreSQL cluster on 127.0.0.1 (tests/postgres.py),
    stopped afterwards."""
    if not args.postgres:
        measure(args, None)
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.helpers import free_port as cluster_port
    from tests.postgres import Cluster

    cluster = Cluster(cluster_port()).start()
    try:
        measure(args, cluster.new_database())
    finally:
        from surveyapp import storage

        storage.dispose_all()
        cluster.stop()


def fresh_instance(prefix: str) -> tuple[Path, dict]:
    """A new instance folder, and the environment of an app or a server on it (this
    process's environment gets it too)."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    env = {
        **os.environ,
        "SURVEYAPP_INSTANCE_PATH": str(workdir),
        "SURVEYAPP_SECRET_KEY": "benchmark",
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    return workdir, env


def cafe_links(database, count: int) -> list[str]:
    """Store the café journey in ``database`` and make ``count`` personal links to its
    meal survey (French, no email): the tokens."""
    from surveyapp import storage
    from surveyapp.domain.definitions import read_definition_file
    from surveyapp.services import invitations

    journey = read_definition_file(DEMO_JOURNEYS / "cafe.yaml")
    with storage.open_database(database) as db:
        storage.journeys.store_journeys(db, [journey])
        outcomes = invitations.create(
            db,
            journey,
            "meal",
            [invitations.Request(f"C-{i}", None, "fr") for i in range(count)],
            base_url="http://127.0.0.1",
            valid_days=30,
            budget=invitations.Budget(0),
        )
    return [o.token for o in outcomes]


# --- customers answering at their own pace ---------------------------------------------

#: A realistic mix: 3 in 5 customers glad, 1 so-so, 1 in pain (pain opens a follow-up).
ANSWERS = [
    "experience=positive&satisfaction=5&why=Tr%C3%A8s+bon",
    "experience=positive&satisfaction=4",
    "experience=positive&satisfaction=5",
    "experience=neutral&satisfaction=3",
    "experience=negative&satisfaction=2&why=La+soupe+%C3%A9tait+froide",
]
CLIENTS = 8


class Customers:
    """Paced clients answering personal links at a steady rate; their latencies."""

    def __init__(self, port: int, tokens: list[str], rate: float):
        self.port, self.tokens, self.rate = port, tokens, rate
        self.latencies: list[float] = []
        self.errors = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        conn = http.client.HTTPConnection("127.0.0.1", port)
        conn.request("GET", "/j/cafe/meal?lang=fr")
        page = conn.getresponse()
        self.cookie = page.getheader("Set-Cookie").split(";")[0]
        self.csrf = re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"', page.read().decode()
        ).group(1)
        conn.close()
        self._threads: list[threading.Thread] = []

    def _client(self, number: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        every = CLIENTS / self.rate
        due = time.perf_counter() + number * every / CLIENTS
        headers = {"Cookie": self.cookie, "Content-Type": "application/x-www-form-urlencoded"}
        while not self._stop.is_set():
            with self._lock:
                if not self.tokens:
                    return
                token = self.tokens.pop()
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            due += every
            body = f"{ANSWERS[len(self.tokens) % 5]}&csrf_token={self.csrf}"
            began = time.perf_counter()
            try:
                conn.request("POST", f"/s/{token}", body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 303
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            with self._lock:
                if ok:
                    self.latencies.append(time.perf_counter() - began)
                else:
                    self.errors += 1

    def start(self) -> None:
        self._stop.clear()
        self._threads = [
            threading.Thread(target=self._client, args=(n,), daemon=True) for n in range(CLIENTS)
        ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> dict:
        """Stop, and the figures since :meth:`start` (then forgotten)."""
        self._stop.set()
        for thread in self._threads:
            thread.join()
        with self._lock:
            samples, errors = sorted(self.latencies), self.errors
            self.latencies, self.errors = [], 0
        if not samples:
            return {"submits": 0, "p50": float("nan"), "p99": float("nan"), "errors": errors}
        return {
            "submits": len(samples),
            "p50": 1000 * statistics.median(samples),
            "p99": 1000 * samples[min(len(samples) - 1, int(0.99 * len(samples)))],
            "errors": errors,
        }


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def run_jobs_worker(env: dict, database: str, job_id: str) -> tuple[dict, float, float]:
    """Start `surveyapp jobs` (the worker `surveyapp serve` supervises) and wait for the
    job to end: the job, the seconds it took from now, the worker's peak RSS in MB."""
    from surveyapp import storage

    worker = subprocess.Popen(
        [sys.executable, "-m", "surveyapp.cli", "jobs", "--loop", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    started = time.perf_counter()
    peak = 0
    try:
        with storage.open_database(database) as db:
            while True:
                peak = max(peak, status_kb(worker.pid, "VmHWM"))
                job = storage.jobs.get(db, job_id)
                if job["state"] in ("done", "failed"):
                    break
                if db.in_transaction():
                    db.rollback()  # a fresh snapshot for the next look
                time.sleep(0.2)
        took = time.perf_counter() - started
        peak = max(peak, status_kb(worker.pid, "VmHWM"))
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    return job, took, peak / 1024
