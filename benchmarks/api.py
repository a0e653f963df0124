"""Benchmark: creating invitations through the REST API, under gunicorn on 127.0.0.1.

    .venv/bin/python benchmarks/api.py [--batches 20] [--duration 10] [--connections 32]

Prints invitations/s for POST /api/v1/invitations in batches of 1,000 (target >= 10,000/s)
and requests/s, p50 and p99 of single-invitation POSTs driven by wrk at 32 connections
(target p99 < 50 ms). The per-key rate limit is turned off here (API_RATE_PER_SECOND=0):
this measures what the service can take, not what one key is allowed. Needs wrk.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from common import DEMO_JOURNEYS, run_wrk, start, stop  # benchmarks/common.py

WRK_SCRIPT = """
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("me", counter)
end
function init(args)
  key = args[1]
  n = 0
end
function request()
  n = n + 1
  local body = string.format(
    '{"journey": "saas-onboarding", "moment": "billing", "customer": "W%d-%d", "locale": "ro"}',
    me, n)
  return wrk.format("POST", "/api/v1/invitations",
    {["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json"}, body)
end
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    workdir = Path(tempfile.mkdtemp(prefix="bench-api-"))
    env = {
        **os.environ,
        "SURVEYAPP_INSTANCE_PATH": str(workdir),
        "SURVEYAPP_SECRET_KEY": "benchmark",
        "SURVEYAPP_API_RATE_PER_SECOND": "0",
        "SURVEYAPP_CONTACT_BUDGET": "0",
    }
    os.environ.update(env)
    from surveyapp import storage
    from surveyapp.domain.definitions import read_definition_file
    from surveyapp.services import apikeys

    with storage.open_database(workdir / "surveyapp.db") as db:
        storage.journeys.store_journeys(
            db,
            [read_definition_file(DEMO_JOURNEYS / "saas-onboarding.yaml")],
        )
        key = apikeys.create(db, "benchmark")

    server, port = start("surveyapp:create_app()", args.workers, env)
    try:
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        bodies = [
            json.dumps(
                {
                    "invitations": [
                        {
                            "journey": "saas-onboarding",
                            "moment": "delivery",
                            "customer": f"B{b}-{i}",
                            "email": f"b{b}.{i}@example.ro",
                            "locale": "ro",
                        }
                        for i in range(1000)
                    ]
                }
            )
            for b in range(args.batches)
        ]
        conn = http.client.HTTPConnection("127.0.0.1", port)
        started = time.perf_counter()
        created = 0
        for body in bodies:
            conn.request("POST", "/api/v1/invitations", body=body, headers=headers)
            response = conn.getresponse()
            results = json.loads(response.read())["results"]
            created += sum(r["status"] == "created" for r in results)
        elapsed = time.perf_counter() - started
        assert created == 1000 * args.batches, created
        print(
            f"batches: {args.batches} x 1,000 invitations in {elapsed:.2f} s = "
            f"{created / elapsed:,.0f} invitations/s (target >= 10,000)"
        )

        figures = run_wrk(
            WRK_SCRIPT,
            port,
            connections=args.connections,
            duration=args.duration,
            workdir=workdir,
            args=[key],
        )
        print(
            f"single POST /invitations, {args.workers} workers, {args.connections} "
            f"connections, {args.duration} s: {figures['requests'] / figures['seconds']:,.0f}"
            f" requests/s, p50 {figures['p50']:.1f} ms, p99 {figures['p99']:.1f} ms "
            f"(target < 50 ms), errors {figures['errors']}"
        )
    finally:
        stop(server)


if __name__ == "__main__":
    main()
