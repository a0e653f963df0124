"""The house as docs/architecture.md draws it: layers, one home per word, small modules."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp

from surveyapp import storage
from tests.helpers import ROOT, sql

PACKAGE = ROOT / "surveyapp"
MODULES = sorted(p for p in PACKAGE.rglob("*.py"))
ARCHITECTURE = (ROOT / "docs" / "architecture.md").read_text()
#: About 400 lines: a module longer than this holds more than one job.
MAX_LINES = 420


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def run_python(code: str, *args: str) -> subprocess.CompletedProcess:
    """``code`` in a fresh interpreter, from the checkout."""
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_the_domain_imports_neither_flask_nor_a_database_driver():
    domain = [module_name(p) for p in MODULES if p.parent.name == "domain"]
    code = (
        "import importlib, sys\n"
        f"for name in {domain!r}: importlib.import_module(name)\n"
        "print(' '.join(sorted(m.split('.')[0] for m in sys.modules)))"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    loaded = set(result.stdout.split())
    assert "surveyapp" in loaded and "babel" in loaded  # it did import the domain
    assert not loaded & {
        "flask",
        "werkzeug",
        "wtforms",
        "sqlite3",
        "sqlite_utils",
        "sqlalchemy",
        "alembic",
        "gunicorn",
    }


def test_no_module_imports_one_that_imports_it_back():
    graph = grimp.build_graph("surveyapp")
    cycles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if graph.chain_exists(importer=imported, imported=module):
                cycles.append(f"{module} <-> {imported}")
    assert cycles == []


def test_every_module_says_its_job_and_stays_small():
    for path in MODULES:
        text = path.read_text()
        assert ast.get_docstring(ast.parse(text)), f"{path} has no docstring"
        assert text.count("\n") <= MAX_LINES, f"{path} has {text.count(chr(10))} lines"


def test_architecture_md_lists_every_module_as_it_is():
    listed = set(re.findall(r"`(surveyapp/[\w/]+\.py)`", ARCHITECTURE))
    present = {str(p.relative_to(ROOT)) for p in MODULES}
    assert sorted(present - listed) == [], "modules missing from docs/architecture.md"
    assert sorted(listed - present) == [], "docs/architecture.md lists modules that are gone"


def test_architecture_md_lists_every_table_as_it_is(tmp_path):
    db = storage.open_database(tmp_path / "s.db")
    tables = {
        name
        for (name,) in sql(db, "SELECT name FROM sqlite_master WHERE type = 'table'")
        # FTS5's own shadow tables (comment_search_data, ...) are its index's parts
        if not name.startswith(("sqlite_", "_sqlite", "comment_search_"))
    }
    db.close()
    section = ARCHITECTURE.split("## Data", 1)[1]
    listed = set(re.findall(r"^\| `(\w+)` \|", section, re.M))
    assert sorted(tables ^ listed) == []


def test_the_wheel_holds_every_package_of_the_tree():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    packages = {module_name(p) for p in MODULES if p.name == "__init__.py"}
    mapped = set(config["package-dir"])
    assert set(config["packages"]) == packages | mapped


def test_a_locale_added_to_the_vocabulary_works_everywhere(tmp_path):
    # What docs/translations.md asks (a catalog, then LOCALES): here without a catalog, so
    # the pages stay English, but every part must take the new code from the vocabulary.
    code = """
import json, sys
from surveyapp.domain import vocabulary
vocabulary.LOCALES = (*vocabulary.LOCALES, "de")

from click.testing import CliRunner
from surveyapp.cli import cli
from surveyapp.services import apikeys
from surveyapp.web.app import create_app
from surveyapp import storage

definition = {
    "id": "shop", "brand": "Laden", "default_locale": "de", "locales": ["de", "en"],
    "moments": [{"id": "visit", "kind": "fmot", "name": {"de": "Besuch", "en": "Visit"}}],
}
app = create_app({"TESTING": True, "SECRET_KEY": "k", "DATABASE": sys.argv[1]})
with storage.open_database(sys.argv[1]) as db:
    key = apikeys.create(db, "t")
client = app.test_client()
auth = {"Authorization": f"Bearer {key}"}
results = {
    "load": client.post("/api/v1/journeys", json=definition, headers=auth).status_code,
    "scores": client.get("/api/v1/journeys/shop/scores?locale=de", headers=auth).status_code,
    "openapi": "de" in json.dumps(client.get("/api/v1/openapi.json").get_json()),
    "page": '<html lang="de"' in client.get(
        "/j/shop/visit?lang=de", headers={"Accept-Language": "en"}
    ).get_data(as_text=True),
    "cli": CliRunner().invoke(cli, ["survey", "show", "shop", "visit", "--locale", "de"],
                             env={"SURVEYAPP_DATABASE": sys.argv[1]}).exit_code,
}
print(json.dumps(results))
"""
    result = run_python(code, str(tmp_path / "s.db"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(
        '{"load": 201, "scores": 200, "openapi": true, "page": true, "cli": 0}'
    ), result.stdout


def test_a_web_worker_starts_without_the_analysis_and_image_libraries(tmp_path):
    """numpy (insights), Pillow (logos), the stemmers and stopword lists (comment terms)
    are loaded where they work, not by every worker at start: a worker's memory is a
    performance target (issue 18)."""
    import subprocess
    import sys

    code = (
        "import sys; from surveyapp import create_app; "
        "create_app({'TESTING': True, 'SECRET_KEY': 'x' * 32}); "
        "print(sorted({'numpy', 'PIL', 'Stemmer', 'stopwordsiso'} & set(sys.modules)))"
    )
    env = {"SURVEYAPP_INSTANCE_PATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == "[]"


#: Where SQLAlchemy's results may be read directly: the executor itself, and the modules
#: that work below it (the engine, transactions, migrations, copying a whole database).
READ_BELOW_THE_EXECUTOR = {
    "statements.py",
    "database.py",
    "transactions.py",
    "schema.py",
    "copy.py",
    "legacy.py",
}
RESULT_METHODS = re.compile(
    r"\.(mappings|fetchall|fetchone|fetchmany|scalar|scalar_one|scalar_one_or_none|scalars|first|one|one_or_none|all)\(\)"
)
#: A statement run on the connection itself, not through statements.execute.
DIRECT_EXECUTE = re.compile(r"\b(db|connection|conn)\.execute\(")


def test_storage_runs_every_statement_one_way_through_the_executor():
    """Every storage module reads through statements.rows/row/value/stream, which give one
    shape (row mappings), and writes through statements.execute (the rows it changed); a
    result read another way is a second shape to learn, a statement run on the
    connection a second path for errors."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((PACKAGE / "storage").glob("*.py"))
        if path.name not in READ_BELOW_THE_EXECUTOR
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if RESULT_METHODS.search(line) or DIRECT_EXECUTE.search(line)
    ]
    assert offenders == []
