"""Profile: where a survey submit spends its time, inside the WSGI app.

    .venv/bin/python benchmarks/profile_submit.py [--requests 3000] [--top 25]
                                                  [--page] [--sort tottime]
                                                  [--callers transaction]

Builds a fresh instance with the café journey and real invitation links, takes one
browser session (its cookie and CSRF token, from a real survey page), then calls the
WSGI app directly, as gunicorn's worker would, with prebuilt environs: POSTs of the
benchmark's answer mix (3 in 5 glad, 1 so-so, 1 in pain), each link once. Prints the
wall time per request without the profiler, next to benchmarks/baseline_app.py's submit
(or its "hello" with ``--page``) timed the same way in turns, then cProfile's top
entries. ``--page`` profiles survey page GETs instead. benchmarks/README.md keeps the
top entries before and after each change (issue 18).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time

from common import ROOT, cafe_links, csrf_of, fresh_instance  # benchmarks/common.py

sys.path.insert(0, str(ROOT))
from benchmarks.submit import ANSWERS  # noqa: E402  # the same mix as the load benchmark


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--page", action="store_true", help="profile survey page GETs")
    parser.add_argument("--callers", help="also print who calls the functions matching this")
    args = parser.parse_args()
    workdir, _env = fresh_instance("bench-profile-")

    from werkzeug.test import EnvironBuilder

    from benchmarks.baseline_app import create_app as create_baseline
    from surveyapp import create_app

    tokens = cafe_links(workdir / "surveyapp.db", 2 * args.requests + 10)
    app = create_app()
    client = app.test_client()
    page = client.get("/j/cafe/meal?lang=fr")
    cookie = page.headers["Set-Cookie"].split(";")[0]
    csrf = csrf_of(page.text)

    def environs(tokens: list[str]) -> list[dict]:
        built = []
        for i, token in enumerate(tokens):
            if args.page:
                builder = EnvironBuilder(path="/j/cafe/meal", query_string="lang=fr")
            else:
                builder = EnvironBuilder(
                    path=f"/s/{token}",
                    method="POST",
                    data=f"{ANSWERS[i % 5]}&csrf_token={csrf}",
                    content_type="application/x-www-form-urlencoded",
                    headers={"Cookie": cookie},
                )
            environ = builder.get_environ()
            environ["body"] = environ["wsgi.input"].read()
            built.append(environ)
        return built

    def baseline_environs(count: int) -> list[dict]:
        built = []
        for i in range(count):
            if args.page:
                builder = EnvironBuilder(path="/hello")
            else:
                builder = EnvironBuilder(
                    path="/submit",
                    method="POST",
                    data=ANSWERS[i % 5],
                    content_type="application/x-www-form-urlencoded",
                )
            environ = builder.get_environ()
            environ["body"] = environ["wsgi.input"].read()
            built.append(environ)
        return built

    def run(batch: list[dict], wsgi=app) -> None:
        statuses = set()
        for environ in batch:
            environ["wsgi.input"] = io.BytesIO(environ["body"])
            body = wsgi(environ, lambda status, headers, exc=None: statuses.add(status[:3]))
            for _ in body:
                pass
            getattr(body, "close", lambda: None)()
        expected = "200" if args.page else "303"
        assert statuses == {expected}, statuses

    def timed_ms(batch: list[dict], wsgi=app) -> float:
        start = time.perf_counter()
        run(batch, wsgi)
        return (time.perf_counter() - start) * 1000 / len(batch)

    baseline = create_baseline(str(workdir / "baseline.db"))
    half = args.requests
    run(environs(tokens[:10]))  # warm up: templates, caches, the database's pages
    run(baseline_environs(10), baseline)
    timed, profiled = environs(tokens[10 : 10 + half]), environs(tokens[10 + half :])
    # In turns, a quarter each, so that the machine's drift falls on both.
    ours, theirs = [], []
    quarter = len(timed) // 4
    for turn in range(4):
        ours.append(timed_ms(timed[turn * quarter : (turn + 1) * quarter]))
        theirs.append(timed_ms(baseline_environs(quarter), baseline))
    per_request, base = sum(ours) / 4, sum(theirs) / 4
    profile = cProfile.Profile()
    profile.runcall(run, profiled)
    what = "survey page GET" if args.page else "submit"
    other = "hello GET" if args.page else "baseline submit"
    print(f"{what}: {per_request:.2f} ms per request, in process, without the profiler")
    print(f"{other}: {base:.2f} ms per request (ratio {base / per_request:.2f})")
    print(f"({len(profiled):,} requests profiled; top {args.top} by {args.sort})")
    stats = pstats.Stats(profile)
    stats.sort_stats(args.sort).print_stats(args.top)
    if args.callers:
        stats.print_callers(args.callers)


if __name__ == "__main__":
    main()
