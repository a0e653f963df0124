"""The interactive API reference at /api/v1/docs: the OpenAPI document drawn by Swagger
UI (npm's swagger-ui-dist, copied next to the static files by dev.py and served by the
app itself: no CDN, no network). Without JavaScript, or where npm did not install it,
the page says so and links the document and docs/api.md."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, render_template

from surveyapp.web.api.base import bp

#: Where dev.py puts the renderer's files (ignored by git; package data in a wheel).
RENDERER = Path("vendor") / "swagger-ui-dist"
RENDERER_FILES = ("swagger-ui-bundle.js", "swagger-ui.css")


def renderer_installed() -> bool:
    """Whether the renderer's files are there to serve."""
    static = Path(current_app.static_folder or "")
    return all((static / RENDERER / name).is_file() for name in RENDERER_FILES)


@bp.get("/docs")
def reference():
    return render_template(
        "api_reference.html",
        renderer=RENDERER.as_posix() if renderer_installed() else None,
    )
