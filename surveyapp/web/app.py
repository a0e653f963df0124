"""The application factory: settings, database schema, request handling, blueprints."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from surveyapp import settings, storage
from surveyapp.services import accounts
from surveyapp.settings import ConfigurationError
from surveyapp.web import errors, headers, locale
from surveyapp.web.database import close_db
from surveyapp.web.sessions import SessionInterface


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Application factory: settings, database schema, views and error pages."""
    app = Flask(
        "surveyapp.web", instance_path=str(settings.instance_path()), instance_relative_config=True
    )
    settings.configure(app.config, config)
    if not app.config.get("SECRET_KEY"):
        if not (app.config.get("TESTING") or app.config.get("DEMO")):
            raise ConfigurationError(
                settings.MISSING_SIGNING_SETUP_HELP.format(
                    config_file=app.instance_path + "/config.py"
                )
            )
        app.config["SECRET_KEY"] = secrets.token_hex(32)

    try:
        storage.open_database(app.config["DATABASE"]).close()
    except storage.DatabaseUnavailable as exc:
        raise ConfigurationError(str(exc)) from None

    origins = app.config.get("EMBED_ORIGINS") or []
    if isinstance(origins, str) or not all(
        isinstance(o, str) and re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d+)?", o) for o in origins
    ):
        raise ConfigurationError(
            f'EMBED_ORIGINS must be a list of origins like ["https://www.example.com"], '
            f"not {origins!r}"
        )
    proxies = app.config["TRUSTED_PROXIES"]
    if isinstance(proxies, bool) or not isinstance(proxies, int) or not 0 <= proxies <= 10:
        raise ConfigurationError(
            f"TRUSTED_PROXIES is how many reverse proxies stand in front of the service "
            f"(0 to 10), not {proxies!r}"
        )
    if proxies:
        # The client address, and the scheme, as the outermost trusted proxy saw them.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    # Cookies must never travel over plain http when the service is on https. (Flask's
    # own default is False, so a setdefault here would never take effect.)
    if app.config["BASE_URL"].startswith("https:"):
        app.config["SESSION_COOKIE_SECURE"] = True

    # The admin session cookie lives as long as the session does on the server.
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=accounts.SESSION_HOURS)
    app.teardown_appcontext(close_db)
    app.session_interface = SessionInterface()
    locale.init_app(app)
    headers.init_app(app)
    errors.init_app(app)

    from surveyapp.web.admin import bp as admin_bp
    from surveyapp.web.api import bp as api_bp
    from surveyapp.web.brand import bp as brand_bp
    from surveyapp.web.home import bp as home_bp
    from surveyapp.web.survey import bp as survey_bp

    app.register_blueprint(survey_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(brand_bp)
    return app
