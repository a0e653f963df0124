"""Benchmark: survey submits and page views against two baselines, in one run.

    .venv/bin/python benchmarks/submit.py [--duration 6] [--connections 32] [--rounds 5]
                                          [--worker-class sync] [--postgres]

Needs wrk (Debian: apt-get install wrk). Serves side by side, under the same gunicorn
settings on 127.0.0.1 (those `surveyapp serve` ships, gevent workers, or the class
``--worker-class`` names for all alike): the real app on a fresh instance with real
invitations; benchmarks/same_work_app.py, which keeps our guarantees by hand (the link
by its token's SHA-256, claimed once, CSRF in constant time, the response, the daily
tally, a follow-up and a webhook row on pain, one transaction, a 303: issue 33); and
benchmarks/baseline_app.py, the least a survey app must do (a response and its answers
in one transaction). Each docstring says why its choices are fair. wrk then drives:

- POSTs of valid answers to personal links, each link once (real app and same-work
  baseline, in the same mix of glory, so-so and pain), against POSTs of the same answers
  to the minimal baseline;
- GETs of a survey page (real app) against a bare Flask "hello" (the baseline's /hello).

The loads take turns after a warm-up, each run next to the one it is compared with (in
one order, then the reverse in the next round); it prints the medians of requests/s,
p50, p99 and the workers' CPU time per request, the errors, the ratios of each round,
and the worker memory after the load.
Targets (issue 33): submit >= 0.85 x the same-work baseline in requests/s and in CPU per
request, p99 < 50 ms at 32 connections, zero errors, each link stored once, survey GET
>= 0.6 x hello, worker RSS < 60 MB.

With ``--postgres`` (Debian's postgresql installed), a third server runs the same app on a
throwaway PostgreSQL cluster on 127.0.0.1 (tests/postgres.py; durability settings off, as
in the tests), and its submits and survey GETs take their turns beside the others: a
figure for PostgreSQL next to SQLite's, measured in the same run.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
from pathlib import Path

from common import (  # benchmarks/common.py
    ANSWERS,
    ROOT,
    WRK_THREADS,
    cafe_links,
    fresh_instance,
    run_wrk,
    start,
    stop,
)

from surveyapp.web.server import PRODUCTION_OPTIONS as SHIPPED

sys.path.insert(0, str(ROOT))  # the apps gunicorn serves are benchmarks.<module>
from benchmarks.same_work_app import make_links, signed_cookie  # noqa: E402

WARMUP = 2  # seconds of each load before the measured rounds


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


def workers_of(master: subprocess.Popen) -> list[Path]:
    """The /proc entries of a gunicorn master's workers."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and re.search(
                rf"^PPid:\s+{master.pid}$", (entry / "status").read_text(), re.M
            ):
                found.append(entry)
        except OSError:
            continue
    return found


def worker_memory_mb(master: subprocess.Popen) -> list[tuple[float, float]]:
    """Each worker's resident memory (RSS) and its proportional share (PSS): the pages it
    shares with the master and the other workers (code and data loaded before the fork)
    count in full in its RSS, and divided among those sharing them in its PSS."""
    sizes = []
    for entry in workers_of(master):
        rollup = (entry / "smaps_rollup").read_text()
        rss, pss = (
            int(re.search(rf"^{k}:\s+(\d+) kB", rollup, re.M).group(1)) for k in ("Rss", "Pss")
        )
        sizes.append((rss / 1024, pss / 1024))
    return sizes


def worker_cpu_seconds(master: subprocess.Popen) -> float:
    """User + system CPU time used so far by the master's workers."""
    ticks = 0
    for entry in workers_of(master):
        fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def wrk(
    server, lines: list[str], method: str, cookie: str, args, workdir: Path, duration: int
) -> dict:
    """One wrk run against ``server`` (process, port); its figures and the workers' CPU
    time per request."""
    process, port = server
    data = workdir / f"wrk-{method}-{port}.txt"
    data.write_text("\n".join(lines) + "\n")
    cpu = worker_cpu_seconds(process)
    figures = run_wrk(
        WRK_SCRIPT,
        port,
        connections=args.connections,
        duration=duration,
        workdir=workdir,
        args=[str(data), str(WRK_THREADS), method, cookie],
    )
    figures["cpu_ms"] = 1000 * (worker_cpu_seconds(process) - cpu) / max(figures["requests"], 1)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=6)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--links", type=int, default=90_000)
    parser.add_argument("--postgres", action="store_true", help="also measure PostgreSQL")
    parser.add_argument("--worker-class", help="gunicorn's, for every server (default: ours)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    workdir, env = fresh_instance("bench-submit-")

    from surveyapp import storage

    tokens = cafe_links(workdir / "surveyapp.db", args.links)
    same_db = workdir / "same-work.db"
    same_tokens = make_links(str(same_db), args.links)
    same_csrf = "same-work-csrf-token"
    same_cookie = f"session={signed_cookie(same_csrf)}"
    per_round = len(tokens) // (args.rounds + 1)
    cluster = None
    if args.postgres:
        sys.path.insert(0, str(ROOT))
        from tests.helpers import free_port
        from tests.postgres import Cluster

        cluster = Cluster(free_port()).start()
        pg_url = cluster.new_database()
        pg_tokens = cafe_links(pg_url, args.links)
        storage.dispose_all()

    # Both apps run side by side (an idle worker only sleeps) and are driven in
    # turns, each measurement right next to the one it is compared with, in the order
    # A B, then B A in the next round: on a shared machine whose speed drifts, a pair
    # measured back to back is what can be compared.
    kind = args.worker_class
    real = start("surveyapp:create_app()", args.workers, env, kind)
    same = start(f'benchmarks.same_work_app:create_app("{same_db}")', args.workers, env, kind)
    base = start(
        f'benchmarks.baseline_app:create_app("{workdir / "baseline.db"}")',
        args.workers,
        env,
        kind,
    )
    on_postgres = (
        start("surveyapp:create_app()", args.workers, {**env, "SURVEYAPP_DATABASE": pg_url}, kind)
        if cluster
        else None
    )
    rounds: list[dict[str, dict]] = []
    submits = same_submits = 0
    try:
        # One browser session answers every link: its cookie and CSRF token are reused
        # (on PostgreSQL too: the same secret key signs both servers' sessions).
        conn = http.client.HTTPConnection("127.0.0.1", real[1])
        conn.request("GET", "/j/cafe/meal?lang=fr")
        page = conn.getresponse()
        cookie = page.getheader("Set-Cookie").split(";")[0]
        csrf = re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"', page.read().decode()
        ).group(1)
        # Round 0 warms both apps up (caches, templates, the database's pages) for
        # WARMUP seconds per load; its figures are not kept.
        for number in range(args.rounds + 1):
            links = tokens[number * per_round : (number + 1) * per_round]
            same_links = same_tokens[number * per_round : (number + 1) * per_round]
            duration = args.duration if number else WARMUP
            loads = {  # server, wrk's lines (path, tab, body), method, cookie
                "submit": (
                    real,
                    [f"/s/{t}\t{ANSWERS[i % 5]}&csrf_token={csrf}" for i, t in enumerate(links)],
                    "POST",
                    cookie,
                ),
                "same-work submit": (
                    same,
                    [
                        f"/s/{t}\t{ANSWERS[i % 5]}&csrf_token={same_csrf}"
                        for i, t in enumerate(same_links)
                    ],
                    "POST",
                    same_cookie,
                ),
                "baseline submit": (
                    base,
                    [f"/submit\t{ANSWERS[i % 5]}" for i in range(per_round)],
                    "POST",
                    "",
                ),
                "survey GET": (real, ["/j/cafe/meal?lang=fr"], "GET", ""),
                "hello GET": (base, ["/hello"], "GET", ""),
            }
            order = ["submit", "same-work submit", "baseline submit", "survey GET", "hello GET"]
            if number % 2:
                order = ["baseline submit", "same-work submit", "submit", "hello GET", "survey GET"]
            if on_postgres:
                pg_links = pg_tokens[number * per_round : (number + 1) * per_round]
                loads["submit (PostgreSQL)"] = (
                    on_postgres,
                    [f"/s/{t}\t{ANSWERS[i % 5]}&csrf_token={csrf}" for i, t in enumerate(pg_links)],
                    "POST",
                    cookie,
                )
                loads["survey GET (PostgreSQL)"] = (
                    on_postgres,
                    ["/j/cafe/meal?lang=fr"],
                    "GET",
                    "",
                )
                order.insert(order.index("submit") + 1, "submit (PostgreSQL)")
                order.append("survey GET (PostgreSQL)")
            results = {name: wrk(*loads[name], args, workdir, duration) for name in order}
            assert results["submit"]["requests"] < per_round, "too few links for one run"
            assert results["same-work submit"]["requests"] < per_round, "too few links"
            submits += results["submit"]["requests"]
            same_submits += results["same-work submit"]["requests"]
            if number:
                rounds.append({name: results[name] for name in loads})
        memory = {
            "real": worker_memory_mb(real[0]),
            "same-work": worker_memory_mb(same[0]),
            "baseline": worker_memory_mb(base[0]),
        }
        if on_postgres:
            memory["real, PostgreSQL"] = worker_memory_mb(on_postgres[0])
    finally:
        stop(real[0])
        stop(same[0])
        stop(base[0])
        if on_postgres:
            stop(on_postgres[0])
    with storage.open_database(workdir / "surveyapp.db") as db:
        stored = storage.responses.count_responses(db)
    # wrk stops counting with up to one request in flight per connection; the server
    # still answers (and stores) those. Each link was posted once.
    in_flight = args.connections * (args.rounds + 1)
    assert submits <= stored <= submits + in_flight, (stored, submits)
    with sqlite3.connect(same_db) as conn:
        same_stored, claimed = conn.execute(
            "SELECT (SELECT count(*) FROM responses),"
            " (SELECT count(*) FROM invitations WHERE answered_at IS NOT NULL)"
        ).fetchone()
    assert same_submits <= same_stored == claimed <= same_submits + in_flight

    print(
        f"{args.workers} gunicorn {kind or SHIPPED['worker_class']} workers each, wrk 2 threads, "
        f"{args.connections} connections, {args.duration} s per run, "
        f"{args.rounds} rounds taking turns, 127.0.0.1"
    )
    print(
        f"{'median of rounds':18}{'requests/s':>11}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
        f"{'CPU ms/req':>12}"
    )
    for name in rounds[0]:
        rps = statistics.median(r[name]["rps"] for r in rounds)
        p50 = statistics.median(r[name]["p50"] for r in rounds)
        p99 = statistics.median(r[name]["p99"] for r in rounds)
        cpu = statistics.median(r[name]["cpu_ms"] for r in rounds)
        errors = sum(r[name]["errors"] for r in rounds)
        print(f"{name:18}{rps:>11,.0f}{p50:>9.1f}{p99:>9.1f}{errors:>8}{cpu:>12.2f}")

    def ratios(label: str, values: list[float], target: str) -> None:
        print(
            f"{label:34} median {statistics.median(values):.2f} "
            f"(rounds: {', '.join(f'{x:.2f}' for x in values)}) ({target})"
        )

    # CPU per request, the baseline's over ours: the steadiest ratio on a shared machine.
    ratios(
        "submit / same-work submit:",
        [r["submit"]["rps"] / r["same-work submit"]["rps"] for r in rounds],
        "target >= 0.85",
    )
    ratios(
        "same-work CPU / submit CPU:",
        [r["same-work submit"]["cpu_ms"] / r["submit"]["cpu_ms"] for r in rounds],
        "target >= 0.85",
    )
    ratios(
        "submit / baseline submit:",
        [r["submit"]["rps"] / r["baseline submit"]["rps"] for r in rounds],
        "for reference",
    )
    ratios(
        "same-work / baseline submit:",
        [r["same-work submit"]["rps"] / r["baseline submit"]["rps"] for r in rounds],
        "the guarantees' own cost",
    )
    pages = [r["survey GET"]["rps"] / r["hello GET"]["rps"] for r in rounds]
    p99s = [r["submit"]["p99"] for r in rounds]
    print(
        f"survey GET / hello GET:   median {statistics.median(pages):.2f} "
        f"(rounds: {', '.join(f'{x:.2f}' for x in pages)}) (target >= 0.6)"
    )
    print(
        f"submit p99:               median {statistics.median(p99s):.1f} ms "
        f"(rounds: {', '.join(f'{x:.1f}' for x in p99s)}) (target < 50 ms)"
    )
    print(
        f"stored: {stored:,} responses for {submits:,} submits counted by wrk "
        "(+ those in flight when each run stopped), each link once; same-work: "
        f"{same_stored:,} for {same_submits:,}"
    )
    if cluster:
        with storage.open_database(pg_url) as db:
            print(f"stored on PostgreSQL: {storage.responses.count_responses(db):,} responses")
        storage.dispose_all()
        cluster.stop()
        pg = [r["submit (PostgreSQL)"]["rps"] / r["submit"]["rps"] for r in rounds]
        print(
            f"submit PostgreSQL / SQLite: median {statistics.median(pg):.2f} "
            f"(rounds: {', '.join(f'{x:.2f}' for x in pg)}) (no target yet)"
        )
    for name, sizes in memory.items():
        rss, pss = max(r for r, _ in sizes), max(p for _, p in sizes)
        print(
            f"worker memory after load ({name}): RSS max {rss:.1f} MB (target < 60 MB), "
            f"PSS max {pss:.1f} MB (all RSS: {', '.join(f'{r:.1f}' for r, _ in sorted(sizes))})"
        )


if __name__ == "__main__":
    main()
