"""The customer's pages: surveys by public link or personal invitation, thank-you pages,
unsubscribing. :mod:`.base` makes the blueprint; :mod:`.public` and :mod:`.invited` add
the routes of each kind of link."""

from surveyapp.web.survey import invited, public  # noqa: F401
from surveyapp.web.survey.base import bp

__all__ = ["bp"]
