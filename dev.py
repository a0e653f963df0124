#!/usr/bin/env python3
"""Developer entry point that needs nothing but Python on a fresh machine.

    python3 dev.py demo    make .venv, install the service (and, when npm is there, the
                           interactive API reference), serve the demo journeys
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


# Files of npm packages the app serves (package.json's "dependencies"), copied where
# Flask serves static files: node_modules itself is never served.
VENDORED = {"swagger-ui-dist": ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE")}
VENDOR = ROOT / "surveyapp" / "web" / "static" / "vendor"


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


def copy_vendored() -> None:
    """Copy the served files of the npm packages next to the app's static files."""
    for package, names in VENDORED.items():
        target = VENDOR / package
        target.mkdir(parents=True, exist_ok=True)
        for name in names:
            shutil.copy2(ROOT / "node_modules" / package / name, target / name)


def ensure_vendored() -> None:
    """The demo's interactive API reference, when npm can fetch it; without npm the
    page says it is not installed and links the OpenAPI document."""
    present = all((VENDOR / p / n).exists() for p, names in VENDORED.items() for n in names)
    if present:
        return
    if not shutil.which("npm"):
        print("npm is not installed: the interactive API reference (/api/v1/docs) is left out.")
        return
    run("npm", "ci", "--omit=dev", "--no-audit", "--no-fund", "--ignore-scripts")
    copy_vendored()


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
        ensure_vendored()
        os.execv(BIN / "surveyapp", [str(BIN / "surveyapp"), "demo", *argv[1:]])
    if command == "test":
        ensure_system_packages()
        ensure_venv("test")
        # axe-core and vnu.jar for the page-quality tests, and the API reference's
        # renderer; install scripts are not needed.
        run("npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts")
        copy_vendored()
        run(BIN / "ruff", "check", ".")
        run(BIN / "ruff", "format", "--check", ".")
        run(BIN / "lint-imports")  # imports point down the layers (docs/architecture.md)
        return subprocess.run([str(BIN / "python"), "-m", "pytest", *argv[1:]], cwd=ROOT).returncode
    print(__doc__)
    return 0 if command in ("help", "-h", "--help") else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
