"""The haproxy example of docs/haproxy.cfg, run as written in front of two nodes: customers
keep answering when a node dies, and the dead node gets no more customers."""

from __future__ import annotations

import re
import shutil
import signal
import socket
import subprocess

import pytest

from surveyapp import storage
from tests.helpers import ROOT, free_port, stop_server, wait_for_port, wait_until
from tests.test_durability import make_tokens, submit
from tests.test_nodes import two_nodes

pytestmark = [pytest.mark.postgresql_only, pytest.mark.browser]  # real servers, SIGKILL


def _haproxy(config_path, port: int, backends: list[int]) -> subprocess.Popen:
    """haproxy with the documented configuration, on ``port``, before these nodes, and a
    stats socket beside its file (:func:`_servers_up` reads it)."""
    text = (ROOT / "docs" / "haproxy.cfg").read_text()
    text = text.replace("bind 127.0.0.1:8080", f"bind 127.0.0.1:{port}")
    stats = config_path.with_suffix(".sock")
    text = text.replace("global\n", f"global\n    stats socket {stats} level user\n", 1)
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


def _servers_up(stats_socket) -> int:
    """How many servers of the backend passed their last health check, by haproxy's own
    statistics (``show stat``: CSV, one line per proxy and server)."""
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(str(stats_socket))
        sock.sendall(b"show stat\n")
        text = b"".join(iter(lambda: sock.recv(65536), b"")).decode()
    header, *lines = text.lstrip("# ").splitlines()
    columns = header.split(",")
    rows = [dict(zip(columns, line.split(","), strict=False)) for line in lines if line]
    return sum(
        r["pxname"] == "surveyapp"
        and r["svname"].startswith("node-")
        and r["status"] == "UP"
        and r["check_status"] == "L7OK"
        for r in rows
    )


def test_customers_keep_answering_through_haproxy_when_a_node_dies(db, loaded, tmp_path):
    tokens = make_tokens(db, loaded["cafe"], 40)
    with two_nodes(SURVEYAPP_TRUSTED_PROXIES="1") as ((node_a, port_a), (_, port_b)):
        port = free_port()
        balancer = _haproxy(tmp_path / "haproxy.cfg", port, [port_a, port_b])
        try:
            stats = (tmp_path / "haproxy.cfg").with_suffix(".sock")
            wait_until(lambda: _servers_up(stats) == 2, "both nodes passing haproxy's checks")
            before = [submit(port, t) for t in tokens[:20]]
            stop_server(node_a, signal.SIGKILL)  # the machine of node A is gone
            after = [submit(port, t) for t in tokens[20:]]
        finally:
            stop_server(balancer)
    assert before == [303] * 20
    assert after == [303] * 20  # no customer saw the dead node
    assert storage.responses.count_responses(db) == 40
