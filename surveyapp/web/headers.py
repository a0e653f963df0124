"""Security headers on every response, and what else every response needs at its end."""

from __future__ import annotations

from flask import Flask, Response, make_response, request

from surveyapp.web import csrf

SECURITY_HEADERS = {
    # Scripts and styles only from our own static files: no inline code at all.
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
        "img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # A survey link carries a token: never tell another site where the customer came from.
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


_SECURITY_LIST = list(SECURITY_HEADERS.items())

#: The journey editor shows a moment's preview in a frame of its own page.
_FRAMES_FROM_SELF = SECURITY_HEADERS["Content-Security-Policy"].replace(
    "frame-ancestors 'none'", "frame-ancestors 'self'"
)


def allow_frames_from_self(page: str | Response) -> Response:
    """A page that our own pages may show in a frame (and no other site)."""
    response = page if isinstance(page, Response) else make_response(page)
    response.headers["Content-Security-Policy"] = _FRAMES_FROM_SELF
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


def frames_from_self(page: str | Response) -> Response:
    """A page that shows frames of our own pages (the editor's preview)."""
    response = page if isinstance(page, Response) else make_response(page)
    response.headers["Content-Security-Policy"] = (
        SECURITY_HEADERS["Content-Security-Policy"] + "; frame-src 'self'"
    )
    return response


def init_app(app: Flask) -> None:
    """One after-request hook for every response (one call instead of one per concern)."""
    embed_origins = " ".join(app.config.get("EMBED_ORIGINS") or [])

    @app.after_request
    def _finish(response):
        """Security headers on every response; the CSRF cookie a customer page made."""
        # Views set none of these but, rarely, their own policy (an email's preview, whose
        # inline styles are the email's). One pass over the response's few headers, not a
        # lookup per name: a lookup that misses raises an exception inside Werkzeug.
        present = {name.lower() for name, _ in response.headers}
        response.headers.extend(
            [(name, value) for name, value in _SECURITY_LIST if name.lower() not in present]
        )
        if embed_origins and request.blueprint == "survey":
            # Survey pages may be shown in a frame on the company's own site, nowhere else.
            response.headers["Content-Security-Policy"] = response.headers[
                "Content-Security-Policy"
            ].replace("frame-ancestors 'none'", f"frame-ancestors {embed_origins}")
            del response.headers["X-Frame-Options"]
        csrf.send_new_secret(response, present)
        return response
