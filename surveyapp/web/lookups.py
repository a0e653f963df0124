"""Reading a request's query, form and cookies on the hot paths."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict


def get(values: MultiDict, key: str, default: Any = None) -> Any:
    """``values.get(key, default)``, without the exception: Werkzeug's ``MultiDict.get``
    that misses raises and catches a BadRequestKeyError (an HTTPException, costly to
    build), and on a survey page most keys (``lang``, ``src``, the cookies of a new
    visitor) are absent."""
    return values[key] if key in values else default  # noqa: SIM401
