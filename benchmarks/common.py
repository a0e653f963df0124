"""What the load benchmarks share: gunicorn on 127.0.0.1, and wrk's figures as JSON."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
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


def start(app_spec: str, workers: int, env: dict) -> tuple[subprocess.Popen, int]:
    """``app_spec`` under gunicorn with the worker settings `surveyapp serve` ships
    (worker class, threads, connections per worker, timeouts), so that a benchmark
    measures what runs in production; the same for the real app and the baseline."""
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
            shipped["worker_class"],
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
