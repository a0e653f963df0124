"""Reading a request's query, form and cookies on the hot paths."""

from __future__ import annotations

from typing import Any

from flask import request
from werkzeug.datastructures import MultiDict


def get(values: MultiDict, key: str, default: Any = None) -> Any:
    """``values.get(key, default)``, without the exception: Werkzeug's ``MultiDict.get``
    that misses raises and catches a BadRequestKeyError (an HTTPException, costly to
    build), and on a survey page most keys (``lang``, ``src``, the cookies of a new
    visitor) are absent."""
    return values[key] if key in values else default  # noqa: SIM401


def cookie(name: str) -> str:
    """A cookie of this request, or "" (most visitors are new)."""
    return get(request.cookies, name, "")
