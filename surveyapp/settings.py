"""Configuration: defaults, then ``instance/config.py``, then ``SURVEYAPP_*`` variables.

The app factory and the CLI read settings the same way, so a command and the
server it sits beside always use the same database.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Config

from surveyapp.domain.errors import Unavailable

ROOT = Path(__file__).resolve().parent.parent


class ConfigurationError(Unavailable, RuntimeError):
    """The service cannot start as configured; the message says how to fix it."""

    code = "misconfigured"


DEFAULTS: dict[str, Any] = {
    # Where the SQLite file lives; relative paths are inside the instance folder.
    "DATABASE": "surveyapp.db",
    # The public address of the service, used in the links it prints and sends.
    "BASE_URL": "http://127.0.0.1:5000",
    # Demo mode: a throwaway instance, public links listed on the home page, a random
    # secret key.
    "DEMO": False,
    # A survey answer is a few hundred bytes; anything over 64 KB is refused (413).
    "MAX_CONTENT_LENGTH": 64 * 1024,
    # How long a survey page may stay open before its form must be sent again.
    "FORM_TIME_LIMIT_HOURS": 24,
    # REST API: requests per second per key, and the burst a key may spend at once.
    "API_RATE_PER_SECOND": 100,
    "API_BURST": 200,
    # Origins allowed to show survey pages in a frame, e.g. ["https://www.example.com"];
    # empty: no site may (frame-ancestors 'none').
    "EMBED_ORIGINS": [],
    # Continuous replication of the database (Litestream): a folder (an absolute path or
    # file:///…) or an S3-compatible bucket (s3://bucket/path); empty: none.
    "REPLICA_URL": None,
    # How many reverse proxies stand in front of the service (0: none). Each appends the
    # address it saw to X-Forwarded-For; only that many are believed, so a client cannot
    # choose the address the login throttle and the link-guess limit count it under.
    "TRUSTED_PROXIES": 0,
    # Host names that outgoing requests (webhooks) may reach although they resolve to a
    # loopback, private or link-local address, e.g. ["hooks.internal.example"]; every
    # other destination must be public (docs/deployment.md).
    "OUTGOING_ALLOWED_HOSTS": [],
    # Admins must sign in with a second factor (an authenticator app's code): an admin
    # without it is sent to set it up before any other page.
    "TWO_FACTOR_FOR_ADMINS": False,
    # Single sign-on with OpenID Connect (docs/deployment.md): the provider's issuer URL
    # (empty: off), this service's client id and secret there, the words of the login
    # page's button ("Sign in with <name>"), the email domains let in (empty: any), the
    # claim holding roles and the values that make an admin, a viewer of every journey,
    # or (``<viewer role>:<journey id>``) a viewer of that journey; whether an account
    # is made at a first sign-in (else an admin must have made one with that email).
    "OIDC_ISSUER": None,
    "OIDC_CLIENT_ID": None,
    "OIDC_CLIENT_SECRET": None,  # nosec B105
    "OIDC_NAME": None,
    "OIDC_ALLOWED_DOMAINS": [],
    "OIDC_ROLES_CLAIM": "roles",
    "OIDC_ADMIN_ROLE": "surveyapp-admin",
    "OIDC_VIEWER_ROLE": "surveyapp-viewer",
    "OIDC_NEW_ACCOUNTS": True,
    # Local passwords; False: only the identity provider signs anyone in (accounts made
    # with `surveyapp admin create` still work from the command line).
    "LOCAL_PASSWORDS": True,
    # /readyz calls a background worker late after this many seconds without a heartbeat
    # (or three of its rounds, if longer).
    "WORKER_STALE_SECONDS": 60,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # No default: the app refuses to start without one (bandit's B105 sees a password).
    "SECRET_KEY": None,  # nosec B105
    # Invitations: how long a personal link stays valid, and the contact budget.
    "INVITATION_DAYS": 30,
    "CONTACT_BUDGET": 10,  # invitations per customer per rolling 30 days; 0: no limit
    "REMINDER_AFTER_DAYS": 3,
    # Email: the SMTP server that sends invitations.
    "MAIL_FROM": None,
    "SMTP_HOST": "localhost",
    "SMTP_PORT": None,  # default: 465 with SMTP_SECURITY=tls, else 25
    "SMTP_USER": None,
    "SMTP_PASSWORD": None,  # nosec B105
    "SMTP_SECURITY": "none",  # none, starttls or tls
    "SMTP_TIMEOUT": 30,
    "SMTP_DEADLINE": 60,
    # Where a customer's answer to a manager's email goes (the CX team's inbox); None:
    # to MAIL_FROM.
    "MAIL_REPLY_TO": None,
    # The email digest of new negative responses: where it goes (one address or a list;
    # empty: no digest), in which language, and how often `surveyapp serve` sends it.
    "DIGEST_TO": None,
    "DIGEST_LOCALE": "en",
    "DIGEST_EVERY_MINUTES": 60,
}

MISSING_SIGNING_SETUP_HELP = """\
surveyapp: no secret key is configured, so sessions and forms cannot be protected.
Make one and give it to the service, either in the environment:

    export SURVEYAPP_SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"

or in {config_file}:

    SECRET_KEY = "<the output of: python3 -c 'import secrets; print(secrets.token_hex(32))'>"
"""


def instance_path() -> Path:
    """The instance folder: ``SURVEYAPP_INSTANCE_PATH``, else ``instance/`` in the checkout,
    else (an installed wheel, which has no checkout) ``instance/`` in the current folder."""
    chosen = os.environ.get("SURVEYAPP_INSTANCE_PATH")
    if chosen:
        return Path(chosen).resolve()
    home = ROOT if (ROOT / "pyproject.toml").is_file() else Path.cwd()
    return (home / "instance").resolve()


def configure(config: Config, overrides: dict[str, Any] | None = None) -> Config:
    """Fill ``config`` from defaults, the instance file, the environment and ``overrides``."""
    config.from_mapping(DEFAULTS)
    config.from_pyfile("config.py", silent=True)
    config.from_prefixed_env("SURVEYAPP")
    if overrides:
        config.update(overrides)
    config["DATABASE"] = _database(str(config["DATABASE"]), Path(config.root_path))
    config["BASE_URL"] = str(config["BASE_URL"]).rstrip("/")
    return config


def _database(value: str, root: Path) -> str:
    """A PostgreSQL URL as given (its scheme checked), or the absolute path of a SQLite
    file (relative to the instance folder)."""
    if "://" in value:
        from surveyapp import storage

        try:
            storage.database_url(value)
        except storage.DatabaseUnavailable as exc:
            raise ConfigurationError(str(exc)) from None
        return value
    database = Path(value)
    return str(database if database.is_absolute() else root / database)


def load_settings(overrides: dict[str, Any] | None = None) -> Config:
    """Settings for code that runs without the app (the CLI)."""
    return configure(Config(str(instance_path())), overrides)
