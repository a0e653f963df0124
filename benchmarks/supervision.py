"""Benchmark: how soon a killed background worker is back, and that nothing it held is lost.

    .venv/bin/python benchmarks/supervision.py [--kills 5]

Issue 29's target: a killed or crashing worker is back within 10 s, and nothing it held
is lost or sent twice. Serves ``surveyapp serve`` on a fresh instance with a webhook
to a receiver on 127.0.0.1 (allowed by name, as an operator would), then ``--kills``
times: queues 20 test events, SIGKILLs the webhook worker once it has begun sending
(the receiver slows each delivery, so some are claimed and unsent when it dies), and
times how long until a new worker process beats its heart. At the end it waits for
every event and prints the seconds to come back (each kill), events queued, received,
and received twice (receivers deduplicate by ``webhook-id``; a delivery cut by the kill
after the receiver got it is sent again after its lease: at-least-once).
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from common import ROOT, free_port, fresh_instance  # benchmarks/common.py

sys.path.insert(0, str(ROOT))


class _Receiver(BaseHTTPRequestHandler):
    received: list[str] = []

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(0.05)  # a receiver that takes its time: deliveries are in flight
        _Receiver.received.append(self.headers["webhook-id"])
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=5)
    args = parser.parse_args()

    import subprocess

    from common import DEMO_JOURNEYS

    from surveyapp import storage
    from surveyapp.domain.definitions import read_definition_file
    from surveyapp.services import webhooks

    workdir, env = fresh_instance("supervision-bench-")
    env["SURVEYAPP_OUTGOING_ALLOWED_HOSTS"] = '["localhost"]'
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    db = storage.open_database(workdir / "surveyapp.db")
    storage.journeys.store_journeys(db, [read_definition_file(DEMO_JOURNEYS / "cafe.yaml")])
    url = f"http://localhost:{receiver.server_address[1]}/hooks"
    endpoint = storage.webhooks.add_webhook(db, "cafe", url, webhooks.new_secret(), ["t"])
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "surveyapp.cli", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )

    def worker_pid() -> int | None:
        found = [b for b in storage.heartbeats.beats(db) if b["name"] == "webhooks"]
        return found[0]["pid"] if found else None

    def wait_for(condition, seconds=120):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(0.02)
        raise SystemExit("timed out")

    back, queued = [], 0
    try:
        wait_for(worker_pid)
        for _ in range(args.kills):
            for _ in range(20):
                storage.webhooks.queue_test(db, endpoint, {"journey": "cafe"})
            queued += 20
            before = len(_Receiver.received)
            wait_for(lambda before=before: len(_Receiver.received) > before)
            old = worker_pid()
            os.kill(old, signal.SIGKILL)
            killed = time.monotonic()
            wait_for(lambda old=old: worker_pid() not in (None, old))
            back.append(time.monotonic() - killed)
        # What the killed workers held comes back after its lease (2 minutes).
        wait_for(lambda: len(set(_Receiver.received)) == queued, seconds=600)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        receiver.shutdown()
    ids = _Receiver.received
    times = ", ".join(f"{s:.1f}" for s in back)
    print(f"{args.kills} kills of the webhook worker (target: back within 10 s)")
    print(f"  back after: {times} s (median {statistics.median(back):.1f})")
    twice = len(ids) - len(set(ids))
    print(f"  events queued {queued}, received {len(set(ids))}, received twice {twice}")


if __name__ == "__main__":
    main()
