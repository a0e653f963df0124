"""REST API for the company's systems: /api/v1, JSON in and out, Bearer API keys.

Every error is ``{"error": {"code", "message", "details"}}`` with a 4xx status; a
journey definition's problems are listed by path, as the CLI lists them. :mod:`.base`
makes the blueprint; each other module adds the endpoints of one resource.
"""

from surveyapp.web.api import (  # noqa: F401
    customers,
    followups,
    invitations,
    journeys,
    reference,
    responses,
)
from surveyapp.web.api.base import bp

__all__ = ["bp"]
