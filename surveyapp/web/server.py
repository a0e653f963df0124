"""Serving the app with gunicorn, from our own process (no shell strings)."""

from __future__ import annotations

import gc
import os
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


class GunicornServer(BaseApplication):
    """Gunicorn's documented "custom application": serve an app object with options."""

    def __init__(self, app: Flask, options: dict[str, Any]):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def share_the_heap(_server, _worker) -> None:
    """Gunicorn's pre_fork hook: move every object the master made (the app, its modules,
    its caches) out of the garbage collector's reach before a worker is forked. A
    collection in the worker would otherwise write to each of those objects' headers and
    so copy, page by page, memory that the workers could share (Python's gc.freeze()
    documentation advises it): a worker's own share fell from 39.6 to 28.7 MB
    (benchmarks/README.md)."""
    gc.freeze()


def default_workers() -> int:
    """Gunicorn's advice, (2 x cores) + 1: a worker waits on SQLite while another computes."""
    return 2 * (os.cpu_count() or 1) + 1


PRODUCTION_OPTIONS: dict[str, Any] = {
    # Greenlets, not one process per connection: a client that sends its request a byte
    # a second holds a greenlet waiting on its socket, not a worker (a sync worker is
    # taken whole, and 20 such clients left no worker for anyone). Requests still run
    # one at a time per worker between network waits; a write transaction never waits on
    # the network, so it never yields to another greenlet while holding the write lock.
    "worker_class": "gevent",
    "worker_connections": 1000,
    # A survey page or submit takes milliseconds; a request stuck for 30 s is a bug.
    "timeout": 30,
    "graceful_timeout": 20,
    # No keep-alive: each connection carries one request, so the kernel spreads them over
    # the workers. Kept alive, a connection stays with the worker that took it, and under
    # 32 busy connections the slowest answers took 1.1 s instead of 44 ms (p99, measured).
    # A reverse proxy keeps its clients' connections alive on its side.
    "keepalive": 0,
    # Recycle workers now and then so that no slow leak can grow without bound.
    "max_requests": 20_000,
    "max_requests_jitter": 2_000,
    "accesslog": "-",
    "access_log_format": '%(h)s "%(r)s" %(s)s %(b)s %(M)sms',
    "errorlog": "-",
    # No control socket: gunicorn would put one at the same path in $HOME for every server
    # on the machine, and a killed one left it to slow the next one's shutdown by 20 s.
    "control_socket_disable": True,
    # Trust X-Forwarded-* only from a reverse proxy on this machine.
    "forwarded_allow_ips": "127.0.0.1,::1",
    # The app is made in the master before the workers are forked (serve() passes it),
    # so they share its pages; this keeps them shared.
    "pre_fork": share_the_heap,
}


def serve(app: Flask, *, host: str, port: int, workers: int, **options: Any) -> None:
    """Run ``app`` under gunicorn until interrupted."""
    GunicornServer(
        app, {**PRODUCTION_OPTIONS, "bind": f"{host}:{port}", "workers": workers, **options}
    ).run()
