"""A journey's branding on the customer's pages: its logo, served from the database
(content-addressed, so cached for good), and its accent colour as a tiny stylesheet
(the Content-Security-Policy allows no inline style)."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort

from surveyapp import storage
from surveyapp.web.database import get_db

bp = Blueprint("brand", __name__)
SHA256 = re.compile(r"[0-9a-f]{64}")
HEX = re.compile(r"[0-9a-f]{6}")
FOREVER = "public, max-age=31536000, immutable"


@bp.route("/brand/logo/<sha256>.<extension>")
def logo(sha256: str, extension: str):
    """A stored logo, as the type it was checked to be."""
    found = storage.journeys.logo(get_db(), sha256) if SHA256.fullmatch(sha256) else None
    if found is None or extension not in ("png", "jpg"):
        abort(404)
    content_type, data = found
    response = Response(data, content_type=content_type)
    response.headers["Cache-Control"] = FOREVER
    return response


@bp.route("/brand/accent/<colour>.css")
def accent(colour: str):
    """The accent colour of a journey's pages (checked for contrast when loaded)."""
    if not HEX.fullmatch(colour):
        abort(404)
    css = f":root {{ --accent: #{colour}; --accent-ink: #ffffff; }}\n"
    response = Response(css, content_type="text/css; charset=utf-8")
    response.headers["Cache-Control"] = FOREVER
    return response
