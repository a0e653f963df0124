#!/usr/bin/env python3
"""Developer entry point that needs nothing but Python on a fresh machine.

    python3 dev.py demo    make .venv, install the service, serve the demo journeys
    python3 dev.py test    make .venv, install test tools (and Debian's chromium and
                           gettext if missing), run ruff, lint-imports and the whole
                           pytest suite

Extra arguments after `test` go to pytest (for example `python3 dev.py test -k browser`);
`python3 dev.py test --fast` is the everyday tier (SQLite only, no real servers or
browser: about a minute and a quarter); the bare command runs everything, as CI does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
# Debian packages the tests need: a real browser (with a font to draw text), msgfmt to
# check the catalogs, PostgreSQL's server, haproxy.
SYSTEM_NEEDS = {
    "/usr/bin/chromium": "chromium",
    "java": "default-jre-headless",  # runs the Nu HTML checker (vnu.jar)
    "npm": "npm",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf": "fonts-dejavu-core",
    "msgfmt": "gettext",
    "/usr/lib/postgresql": "postgresql",  # the throwaway PostgreSQL server of the tests
    "/usr/sbin/haproxy": "haproxy",  # runs docs/haproxy.cfg in front of two nodes
}


def run(*args: str | Path, **kwargs) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT, **kwargs)


def ensure_venv(extra: str | None) -> None:
    if not (BIN / "python").exists():
        run(sys.executable, "-m", "venv", VENV)
    target = f".[{extra}]" if extra else "."
    run(
        BIN / "python",
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "-q",
        "--upgrade",
        "pip",
    )
    run(BIN / "python", "-m", "pip", "install", "--disable-pip-version-check", "-q", "-e", target)


def ensure_system_packages() -> None:
    missing = sorted(
        {
            pkg
            for need, pkg in SYSTEM_NEEDS.items()
            if not (Path(need).exists() if need.startswith("/") else shutil.which(need))
        }
    )
    if not missing:
        return
    prefix: list[str] = []
    if os.geteuid() != 0:
        if not shutil.which("sudo"):
            sys.exit(
                f"Please install the Debian packages {' '.join(missing)} "
                "(apt-get install ...), then run this again."
            )
        prefix = ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run(*prefix, "apt-get", "update", "-q", env=env)
    run(*prefix, "apt-get", "install", "-y", "-q", "--no-install-recommends", *missing, env=env)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "help"
    if command == "demo":
        ensure_venv(None)
        os.execv(BIN / "surveyapp", [str(BIN / "surveyapp"), "demo", *argv[1:]])
    if command == "test":
        ensure_system_packages()
        ensure_venv("test")
        # axe-core and vnu.jar for the page-quality tests; install scripts are not needed.
        run("npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts")
        run(BIN / "ruff", "check", ".")
        run(BIN / "ruff", "format", "--check", ".")
        run(BIN / "lint-imports")  # imports point down the layers (docs/architecture.md)
        return subprocess.run([str(BIN / "python"), "-m", "pytest", *argv[1:]], cwd=ROOT).returncode
    print(__doc__)
    return 0 if command in ("help", "-h", "--help") else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
