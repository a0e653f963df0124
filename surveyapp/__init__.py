"""The moments-of-truth survey service.

Layers, each importing only those below it (checked by import-linter, see
docs/architecture.md): ``domain`` (journeys, surveys, scoring: no Flask, no SQL) ←
``storage`` (the database) ← ``services`` (what a request or a command asks: invitations,
emails, dashboard figures, insights) ← ``workers`` (background work beside the web
workers) ← ``settings`` ← ``web`` and ``cli``.

``surveyapp.create_app`` (what ``gunicorn "surveyapp:create_app()"`` loads) is imported
when first asked for, so that importing the domain never imports Flask.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from surveyapp.web.app import create_app

        return create_app
    if name == "ConfigurationError":
        from surveyapp.settings import ConfigurationError

        return ConfigurationError
    raise AttributeError(f"module 'surveyapp' has no attribute {name!r}")
