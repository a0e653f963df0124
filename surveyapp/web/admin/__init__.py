"""The admin area for CX managers: journeys, the journey dashboard, what customers said,
follow-up of moments of pain, and exports. Viewers read; admins also change things.

:mod:`.base` makes the blueprint; each other module adds the routes of one page.
"""

from surveyapp.web.admin import (  # noqa: F401
    auth,
    comments,
    customers,
    dashboard,
    distribution,
    editor,
    exports,
    inbox,
    integrations,
    jobs,
    journeys,
    outreach,
    retention,
    sso,
    themes,
    tracking,
    two_factor,
    users,
    versions,
    workers,
)
from surveyapp.web.admin.base import bp

__all__ = ["bp"]
