"""Profile: where a gunicorn worker of the real app spends its time under wrk.

    .venv/bin/pip install -e ".[bench]"        # py-spy, once (and apt-get install wrk)
    .venv/bin/python benchmarks/profile_server.py [--page] [--seconds 10] [--top 40]

Serves the app on a fresh instance (the café journey, real invitation links) under the
shipped gunicorn settings with one worker, drives it with wrk over 8 connections (valid
submits to real links, each once, in the benchmark's answer mix; or, with ``--page``,
survey page GETs of new visitors), and samples the worker with py-spy meanwhile. Prints
requests/s and the worker's CPU milliseconds per request, then the frames in which the
worker spent the largest share of its samples, with what they cost themselves. Unlike
cProfile around the WSGI app (benchmarks/profile_submit.py), this sees gunicorn, gevent
and the caches of a real server, and the profiler does not slow small functions more
than big ones. benchmarks/README.md keeps its top entries before and after (issue 18).
"""

from __future__ import annotations

import argparse
import collections
import http.client
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT, cafe_links, csrf_of, fresh_instance, start, stop

sys.path.insert(0, str(ROOT))
from benchmarks.submit import ANSWERS, workers_of, wrk  # noqa: E402  # the same load

PY_SPY = Path(sys.executable).parent / "py-spy"


def shares(raw: Path) -> tuple[int, collections.Counter, collections.Counter]:
    """From py-spy's raw output: the samples, and per frame (function and file) the
    samples it was on the stack of (inclusive) and at the top of (its own)."""
    inclusive: collections.Counter = collections.Counter()
    own: collections.Counter = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, count = line.rsplit(" ", 1)
        frames = [re.sub(r":\d+\)$", ")", frame) for frame in stack.split(";")]
        total += int(count)
        for frame in set(frames):
            inclusive[frame] += int(count)
        own[frames[-1]] += int(count)
    return total, inclusive, own


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", action="store_true", help="survey page GETs, not submits")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    if not PY_SPY.exists() or not shutil.which("wrk"):
        sys.exit('needs py-spy (pip install -e ".[bench]") and wrk (apt-get install wrk)')
    workdir, env = fresh_instance("bench-server-profile-")
    tokens = cafe_links(workdir / "surveyapp.db", 3000 * args.seconds)
    server = start("surveyapp:create_app()", 1, env)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server[1])
        conn.request("GET", "/j/cafe/meal?lang=fr")
        page = conn.getresponse()
        cookie = page.getheader("Set-Cookie").split(";")[0]
        csrf = csrf_of(page.read().decode())
        (worker,) = workers_of(server[0])
        raw = workdir / "py-spy.txt"
        spy = subprocess.Popen(
            [PY_SPY, "record", "-r", "400", "-f", "raw", "-o", raw, "--pid", worker.name]
            + ["-d", str(args.seconds)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.5)  # py-spy attached
        if args.page:
            load = (["/j/cafe/meal?lang=fr"], "GET", "")
        else:
            lines = [f"/s/{t}\t{ANSWERS[i % 5]}&csrf_token={csrf}" for i, t in enumerate(tokens)]
            load = (lines, "POST", cookie)
        figures = wrk(server, *load, argparse.Namespace(connections=8), workdir, args.seconds)
        spy.wait(timeout=60)
    finally:
        stop(server[0])
    what = "survey page GET" if args.page else "submit"
    print(
        f"{what}, 1 worker, 8 connections: {figures['rps']:,.0f} requests/s, "
        f"{figures['cpu_ms']:.2f} CPU ms per request, {figures['errors']} errors"
    )
    total, inclusive, own = shares(raw)
    print(f"{total:,} samples; share of samples on the stack (own: at its top)")
    for frame, count in inclusive.most_common(args.top):
        print(f"{100 * count / total:5.1f}%  own {100 * own[frame] / total:4.1f}%  {frame}")


if __name__ == "__main__":
    main()
