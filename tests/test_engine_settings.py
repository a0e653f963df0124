"""Choosing the engine: a file path is SQLite, a postgresql:// URL is PostgreSQL, and
anything wrong is one clear line, exit status 1 and nothing created, from every command."""

from __future__ import annotations

import sys

import pytest

from surveyapp import create_app
from surveyapp.cli import cli
from surveyapp.settings import ConfigurationError
from tests.helpers import free_port


def _run(runner, monkeypatch, database: str, *args: str):
    monkeypatch.setenv("SURVEYAPP_DATABASE", database)
    return runner.invoke(cli, list(args or ("journey", "list")))


def _one_line(result) -> str:
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


def test_another_scheme_is_refused_with_what_to_write(runner, monkeypatch, instance):
    line = _one_line(_run(runner, monkeypatch, "mysql://bob:secret@db/surveys"))
    assert "uses mysql://, which is not supported" in line
    assert "postgresql://user:password@host" in line
    assert "secret" not in line
    assert list(instance.iterdir()) == []  # no SQLite file made instead


def test_an_unreachable_server_is_named_without_its_password(runner, monkeypatch, instance):
    url = f"postgresql://bob:hunter2@127.0.0.1:{free_port()}/surveys"
    for command in (("journey", "list"), ("scores", "cafe"), ("db", "status")):
        line = _one_line(_run(runner, monkeypatch, url, *command))
        assert line.startswith("Error: cannot open the database postgresql://bob:***@127.0.0.1")
        assert "hunter2" not in line
    assert list(instance.iterdir()) == []


def test_a_wrong_password_says_so(runner, monkeypatch, instance, postgres_cluster):
    url = postgres_cluster.url().replace(postgres_cluster.password, "wrong-password")
    line = _one_line(_run(runner, monkeypatch, url))
    assert "password authentication failed" in line and "wrong-password" not in line


def test_a_missing_driver_says_which_extra_to_install(runner, monkeypatch, instance):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if never installed
    url = f"postgresql://bob:pw@127.0.0.1:{free_port()}/nodriver"
    line = _one_line(_run(runner, monkeypatch, url))
    assert 'pip install "surveyapp[postgres]"' in line


def test_the_app_refuses_to_start_on_a_database_it_cannot_reach(monkeypatch, instance):
    monkeypatch.setenv("SURVEYAPP_DATABASE", f"postgresql://a:b@127.0.0.1:{free_port()}/x")
    with pytest.raises(ConfigurationError, match="cannot open the database"):
        create_app({"TESTING": True, "SECRET_KEY": "k"})
