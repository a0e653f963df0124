"""The moments-of-truth survey service.

``create_app`` builds the Flask application; the core (journeys, surveys,
scoring, storage) is importable and usable without it.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from surveyapp import settings


class ConfigurationError(RuntimeError):
    """The service cannot start as configured; the message says how to fix it."""


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Application factory: settings, database schema, views and error pages."""
    app = Flask(
        __name__, instance_path=str(settings.instance_path()), instance_relative_config=True
    )
    settings.configure(app.config, config)
    if not app.config.get("SECRET_KEY"):
        if not (app.config.get("TESTING") or app.config.get("DEMO")):
            raise ConfigurationError(
                settings.MISSING_SIGNING_SETUP_HELP.format(
                    config_file=app.instance_path + "/config.py"
                )
            )
        import secrets

        app.config["SECRET_KEY"] = secrets.token_hex(32)

    from surveyapp import storage, web

    storage.open_database(app.config["DATABASE"]).close()
    web.init_app(app)

    origins = app.config.get("EMBED_ORIGINS") or []
    if isinstance(origins, str) or not all(
        isinstance(o, str) and re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d+)?", o) for o in origins
    ):
        raise ConfigurationError(
            f'EMBED_ORIGINS must be a list of origins like ["https://www.example.com"], '
            f"not {origins!r}"
        )
    # Cookies must never travel over plain http when the service is on https. (Flask's
    # own default is False, so a setdefault here would never take effect.)
    if app.config["BASE_URL"].startswith("https:"):
        app.config["SESSION_COOKIE_SECURE"] = True

    from surveyapp import admin_views, api, home_views, survey_views

    app.register_blueprint(survey_views.bp)
    app.register_blueprint(home_views.bp)
    app.register_blueprint(admin_views.bp)
    app.register_blueprint(api.bp)
    return app
