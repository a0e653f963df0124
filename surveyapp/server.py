"""Serving the app with gunicorn, from our own process (no shell strings)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


class GunicornServer(BaseApplication):
    """Gunicorn's documented "custom application": serve an app object with options."""

    def __init__(self, app: Flask, options: dict[str, Any]):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def serve(app: Flask, *, host: str, port: int, workers: int, **options: Any) -> None:
    """Run ``app`` under gunicorn until interrupted."""
    GunicornServer(
        app,
        {"bind": f"{host}:{port}", "workers": workers, "accesslog": "-", **options},
    ).run()
