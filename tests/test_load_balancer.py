"""The haproxy example of docs/haproxy.cfg, run as written in front of two nodes: customers
keep answering when a node dies, and the dead node gets no more customers."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import time

import pytest

from surveyapp import storage
from tests.helpers import ROOT, free_port, stop_server, wait_for_port
from tests.test_durability import make_tokens, submit
from tests.test_nodes import two_nodes

pytestmark = [pytest.mark.postgresql_only, pytest.mark.browser]  # real servers, SIGKILL


def _haproxy(config_path, port: int, backends: list[int]) -> subprocess.Popen:
    """haproxy with the documented configuration, on ``port``, before these nodes."""
    text = (ROOT / "docs" / "haproxy.cfg").read_text()
    text = text.replace("bind 127.0.0.1:8080", f"bind 127.0.0.1:{port}")
    servers = iter(backends)
    text = re.sub(r"10\.0\.0\.\d+:8000", lambda _: f"127.0.0.1:{next(servers)}", text)
    config_path.write_text(text)
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    process = subprocess.Popen(  # noqa: S603 - Debian's haproxy, our file
        [haproxy, "-db", "-f", str(config_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    wait_for_port(port, process)
    return process


def test_customers_keep_answering_through_haproxy_when_a_node_dies(db, loaded, tmp_path):
    tokens = make_tokens(db, loaded["cafe"], 40)
    with two_nodes(SURVEYAPP_TRUSTED_PROXIES="1") as ((node_a, port_a), (_, port_b)):
        port = free_port()
        balancer = _haproxy(tmp_path / "haproxy.cfg", port, [port_a, port_b])
        try:
            time.sleep(2.5)  # both nodes pass their first health checks
            before = [submit(port, t) for t in tokens[:20]]
            stop_server(node_a, signal.SIGKILL)  # the machine of node A is gone
            after = [submit(port, t) for t in tokens[20:]]
        finally:
            stop_server(balancer)
    assert before == [303] * 20
    assert after == [303] * 20  # no customer saw the dead node
    assert storage.count_responses(db) == 40
