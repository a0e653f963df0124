"""A throwaway PostgreSQL cluster for the tests: Debian's server binaries, a data folder
in a temporary directory, listening on 127.0.0.1 only, stopped and deleted at the end.

initdb refuses to run as root, so under root (CI) the cluster runs as Debian's
``postgres`` user. Durability settings are off: the cluster dies with the test run, and
what the tests check (answers counted once, locks between nodes) does not depend on them.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

import sqlalchemy as sa

USER = "surveyapp"


def server_binaries() -> Path:
    """The newest installed server's bin folder (``apt-get install postgresql``)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    if not found:
        raise RuntimeError("PostgreSQL's server is not installed: apt-get install postgresql")
    return Path(found[-1]).parent


class Cluster:
    """One server; :meth:`new_database` gives each test an empty database of its own."""

    def __init__(self, port: int):
        self.port = port
        self.bin = server_binaries()
        self.root = Path(tempfile.mkdtemp(prefix="surveyapp-pg-"))
        self.data = self.root / "data"
        self.password = secrets.token_urlsafe(16)
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        command = [str(a) for a in args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)  # noqa: S603

    def start(self) -> Cluster:
        password_file = self.root / "password"
        password_file.write_text(self.password)
        if self._as_postgres:
            shutil.chown(self.root, "postgres")
            shutil.chown(password_file, "postgres")
        self._run(
            self.bin / "initdb",
            "-D", self.data,
            "-U", USER,
            "--pwfile", password_file,
            "--auth", "scram-sha-256",
            "-E", "UTF8",
            "--locale", "C.UTF-8",
        )  # fmt: skip
        self.options = " ".join(
            f"-c {setting}"
            for setting in (
                "listen_addresses=127.0.0.1",
                f"port={self.port}",
                f"unix_socket_directories={self.root}",
                "fsync=off",
                "synchronous_commit=off",
                "full_page_writes=off",
                "max_connections=200",
            )
        )
        self.resume()
        return self

    def pause(self) -> None:
        """Stop the server (fast: open connections are cut), keeping its data."""
        self._run(self.bin / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        """Start the server (again), on the same port."""
        log = self.root / "log"
        self._run(
            self.bin / "pg_ctl", "-D", self.data, "-o", self.options, "-w", "-l", log, "start"
        )

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def new_database(self, template: str | None = None) -> str:
        """A new database, empty or a copy of ``template``; its URL."""
        name = "t_" + secrets.token_hex(6)
        copy = f' TEMPLATE "{template}"' if template else ""
        self.admin(f'CREATE DATABASE "{name}"{copy}')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = sa.make_url(url).database
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def admin(self, statement: str) -> None:
        """Run ``statement`` as the cluster's superuser, outside a transaction."""
        engine = sa.create_engine(
            self.url().replace("postgresql://", "postgresql+psycopg://"),
            isolation_level="AUTOCOMMIT",
            poolclass=sa.pool.NullPool,
        )
        with engine.connect() as connection:
            connection.exec_driver_sql(statement)
        engine.dispose()

    def stop(self) -> None:
        try:
            self._run(self.bin / "pg_ctl", "-D", self.data, "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
