"""The built wheel works without the checkout: installed in a clean virtual environment
and run from another folder, it finds its blueprints, catalogs, templates and styles."""

from __future__ import annotations

import shutil
import subprocess
import sys
import urllib.request

import pytest

from tests.helpers import DEMO_JOURNEYS, ROOT, start_listening, stop_server

pytestmark = pytest.mark.browser  # real processes and a real server, like the browser tests


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The project built as a wheel and installed (not editable) in a fresh environment."""
    folder = tmp_path_factory.mktemp("wheel")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", folder / "dist", ROOT], check=True)
    (wheel,) = (folder / "dist").glob("surveyapp-*.whl")
    subprocess.run([sys.executable, "-m", "venv", folder / "venv"], check=True)
    subprocess.run(
        [folder / "venv" / "bin" / "python", "-m", "pip", "install", "-q", wheel], check=True
    )
    return folder


def test_the_installed_wheel_serves_french_and_romanian_from_another_folder(installed, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(DEMO_JOURNEYS / "cafe.yaml", elsewhere)
    env = {"SURVEYAPP_INSTANCE_PATH": str(tmp_path / "instance"), "PYTHONPATH": ""}
    surveyapp = str(installed / "venv" / "bin" / "surveyapp")

    def run(*args: str) -> str:
        result = subprocess.run(
            [surveyapp, *args],
            cwd=elsewhere,
            env={**env, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    where = subprocess.run(
        [
            installed / "venv" / "bin" / "python",
            "-c",
            "import surveyapp; print(surveyapp.__file__)",
        ],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "site-packages" in where and str(ROOT) not in where

    # Without SURVEYAPP_INSTANCE_PATH an installed service keeps its files in ./instance.
    result = subprocess.run(
        [surveyapp, "journey", "list"],
        cwd=elsewhere,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert (elsewhere / "instance" / "surveyapp.db").is_file()
    assert "cafe: created" in run("journey", "load", "cafe.yaml")
    shown = run("survey", "show", "cafe", "meal", "--locale", "ro")
    assert "Masa dumneavoastră" in shown and "Așa și așa" in shown

    server, port = start_listening(
        lambda port: [surveyapp, "serve", "--port", str(port), "--workers", "1"],
        lambda port: {**env, "SURVEYAPP_SECRET_KEY": "wheel-test-key"},
        cwd=elsewhere,
    )
    try:
        pages = {}
        for lang in ("fr", "ro"):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/j/cafe/meal?lang={lang}") as r:
                pages[lang] = r.read().decode()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/survey.css") as r:
            assert r.status == 200 and b"{" in r.read()
        # The API reference's renderer (copied from npm before the build) is in the wheel.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/docs") as r:
            reference = r.read().decode()
        renderer = "/static/vendor/swagger-ui-dist/swagger-ui-bundle.js"
        assert renderer in reference
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{renderer}") as r:
            assert r.status == 200 and b"SwaggerUIBundle" in r.read()
    finally:
        stop_server(server)
    assert '<html lang="fr"' in pages["fr"] and "Moyen" in pages["fr"]
    assert '<html lang="ro"' in pages["ro"] and "Trimite răspunsurile" in pages["ro"]
