"""Benchmark: survey submits and page views against a minimal baseline, in one run.

    .venv/bin/python benchmarks/submit.py [--duration 10] [--connections 32] [--workers N]

Needs wrk (Debian: apt-get install wrk). Serves, one after the other and under the same
gunicorn settings on 127.0.0.1: the real app on a fresh instance with real invitations,
and benchmarks/baseline_app.py (plain Flask + a 3-field WTForms form + one SQLite insert per
POST). wrk then drives:

- POSTs of valid answers to real invitation links, each link once (real app), against POSTs
  of the same answers to the baseline;
- GETs of a survey page (real app) against a bare Flask "hello" (the baseline's /hello).

The apps take turns over several rounds; it prints the medians of requests/s, p50, p99,
the errors, the ratios of each round, and the worker memory after
the load. Targets (issue 7): submit >= 0.8 x baseline, p99 < 50 ms at 32 connections, zero
errors, survey GET >= 0.5 x hello, worker RSS < 60 MB.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT, WRK_THREADS, run_wrk, start, stop  # benchmarks/common.py

# A realistic mix: 3 in 5 customers glad, 1 so-so, 1 in pain (pain also opens a follow-up).
ANSWERS = [
    "experience=positive&satisfaction=5&why=Tr%C3%A8s+bon",
    "experience=positive&satisfaction=4",
    "experience=positive&satisfaction=5",
    "experience=neutral&satisfaction=3",
    "experience=negative&satisfaction=2&why=La+soupe+%C3%A9tait+froide",
]

WRK_SCRIPT = """
local entries = {}
local counter = 0
local threads = {}
function setup(thread)
  counter = counter + 1
  thread:set("me", counter)
  table.insert(threads, thread)
end
function init(args)
  local file = io.open(args[1])
  for line in file:lines() do table.insert(entries, line) end
  file:close()
  stride = tonumber(args[2])
  index = me - stride
  method = args[3]
  headers = {}
  if args[4] ~= "" then headers["Cookie"] = args[4] end
  headers["Content-Type"] = "application/x-www-form-urlencoded"
end
function request()
  index = index + stride
  local line = entries[index]
  if line == nil then line = entries[1] end
  local path, body = line:match("([^\\t]*)\\t?(.*)")
  if method == "GET" then return wrk.format("GET", path) end
  return wrk.format("POST", path, headers, body)
end
"""


def worker_rss_mb(master: subprocess.Popen) -> list[float]:
    sizes = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{master.pid}$", status, re.M):
            kb = int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1))
            sizes.append(kb / 1024)
    return sizes


def wrk(port: int, lines: list[str], method: str, cookie: str, args, workdir: Path) -> dict:
    data = workdir / f"wrk-{method}-{port}.txt"
    data.write_text("\n".join(lines) + "\n")
    return run_wrk(
        WRK_SCRIPT,
        port,
        connections=args.connections,
        duration=args.duration,
        workdir=workdir,
        args=[str(data), str(WRK_THREADS), method, cookie],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--links", type=int, default=90_000)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    workdir = Path(tempfile.mkdtemp(prefix="bench-submit-"))
    env = {
        **os.environ,
        "SURVEYAPP_INSTANCE_PATH": str(workdir),
        "SURVEYAPP_SECRET_KEY": "benchmark",
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)

    from surveyapp import invitations, storage
    from surveyapp.journeys import read_definition_file

    journey = read_definition_file(ROOT / "surveyapp" / "demo_journeys" / "cafe.yaml")
    with storage.open_database(workdir / "surveyapp.db") as db:
        storage.store_journeys(db, [journey])
        outcomes = invitations.create(
            db,
            journey,
            "meal",
            [invitations.Request(f"C-{i}", None, "fr") for i in range(args.links)],
            base_url="http://127.0.0.1",
            valid_days=30,
            budget=invitations.Budget(0),
        )
    tokens = [o.token for o in outcomes]
    per_round = len(tokens) // args.rounds

    rounds: list[dict[str, dict]] = []
    memory: dict[str, list[float]] = {}
    submits = 0
    for number in range(args.rounds):
        # The two apps take turns, so a noisy moment on the machine hits both alike.
        results: dict[str, dict] = {}
        links = tokens[number * per_round : (number + 1) * per_round]
        real, port = start("surveyapp:create_app()", args.workers, env)
        try:
            # One browser session answers every link: its cookie and CSRF token are reused.
            conn = http.client.HTTPConnection("127.0.0.1", port)
            conn.request("GET", "/j/cafe/meal?lang=fr")
            page = conn.getresponse()
            cookie = page.getheader("Set-Cookie").split(";")[0]
            csrf = re.search(
                r'name="csrf_token" type="hidden" value="([^"]+)"', page.read().decode()
            ).group(1)
            lines = [f"/s/{t}\t{ANSWERS[i % 5]}&csrf_token={csrf}" for i, t in enumerate(links)]
            results["submit"] = wrk(port, lines, "POST", cookie, args, workdir)
            results["survey GET"] = wrk(port, ["/j/cafe/meal?lang=fr"], "GET", "", args, workdir)
            memory["real"] = worker_rss_mb(real)
        finally:
            stop(real)
        base, port = start(
            f'benchmarks.baseline_app:create_app("{workdir / "baseline.db"}")', args.workers, env
        )
        try:
            lines = [f"/submit\t{ANSWERS[i % 5]}" for i in range(per_round)]
            results["baseline submit"] = wrk(port, lines, "POST", "", args, workdir)
            results["hello GET"] = wrk(port, ["/hello"], "GET", "", args, workdir)
            memory["baseline"] = worker_rss_mb(base)
        finally:
            stop(base)
        assert results["submit"]["requests"] < per_round, "too few links for one run"
        submits += results["submit"]["requests"]
        rounds.append(results)
    with storage.open_database(workdir / "surveyapp.db") as db:
        stored = storage.count_responses(db)
    # wrk stops counting with up to one request in flight per connection; the server
    # still answers (and stores) those. Each link was posted once.
    assert submits <= stored <= submits + args.connections * args.rounds, (stored, submits)

    print(
        f"{args.workers} gunicorn sync workers each, wrk 2 threads, {args.connections} "
        f"connections, {args.duration} s per run, {args.rounds} rounds taking turns, "
        "127.0.0.1"
    )
    print(f"{'median of rounds':18}{'requests/s':>11}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for name in rounds[0]:
        rps = statistics.median(r[name]["rps"] for r in rounds)
        p50 = statistics.median(r[name]["p50"] for r in rounds)
        p99 = statistics.median(r[name]["p99"] for r in rounds)
        errors = sum(r[name]["errors"] for r in rounds)
        print(f"{name:18}{rps:>11,.0f}{p50:>9.1f}{p99:>9.1f}{errors:>8}")
    submit = [r["submit"]["rps"] / r["baseline submit"]["rps"] for r in rounds]
    pages = [r["survey GET"]["rps"] / r["hello GET"]["rps"] for r in rounds]
    print(
        f"submit / baseline submit: median {statistics.median(submit):.2f} "
        f"(rounds: {', '.join(f'{x:.2f}' for x in submit)}) (target >= 0.8)"
    )
    print(
        f"survey GET / hello GET:   median {statistics.median(pages):.2f} "
        f"(rounds: {', '.join(f'{x:.2f}' for x in pages)}) (target >= 0.5)"
    )
    print(
        f"stored: {stored:,} responses for {submits:,} submits counted by wrk "
        "(+ those in flight when each run stopped), each link once"
    )
    for name, sizes in memory.items():
        print(
            f"worker RSS after load ({name}): max {max(sizes):.1f} MB "
            f"(all: {', '.join(f'{x:.1f}' for x in sorted(sizes))}) (target < 60 MB)"
        )


if __name__ == "__main__":
    main()
