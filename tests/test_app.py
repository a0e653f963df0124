"""The app factory and its configuration."""

from __future__ import annotations

import pytest

from surveyapp import ConfigurationError, create_app


def test_the_app_refuses_to_start_without_a_secret_key(instance):
    with pytest.raises(ConfigurationError) as caught:
        create_app()
    assert "SURVEYAPP_SECRET_KEY" in str(caught.value)
    assert "secrets.token_hex(32)" in str(caught.value)


def test_settings_come_from_the_instance_file_then_the_environment(instance, monkeypatch):
    (instance / "config.py").write_text('SECRET_KEY = "from-file"\nBASE_URL = "https://a/"\n')
    monkeypatch.setenv("SURVEYAPP_BASE_URL", "https://survey.example.com/")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-file"
    assert app.config["BASE_URL"] == "https://survey.example.com"
    assert app.config["DATABASE"] == str(instance / "surveyapp.db")
    assert (instance / "surveyapp.db").exists()


def test_the_database_path_can_be_set_by_the_environment(instance, monkeypatch, tmp_path):
    monkeypatch.setenv("SURVEYAPP_SECRET_KEY", "k")
    monkeypatch.setenv("SURVEYAPP_DATABASE", str(tmp_path / "elsewhere.db"))
    create_app()
    assert (tmp_path / "elsewhere.db").exists()


def test_serve_keeps_the_masters_heap_shared_with_its_workers():
    """`surveyapp serve` makes the app before gunicorn forks; its pre_fork hook takes the
    master's objects out of the collector's reach, so no worker copies them."""
    import gc

    from surveyapp.web.server import PRODUCTION_OPTIONS

    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        PRODUCTION_OPTIONS["pre_fork"](None, None)
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
