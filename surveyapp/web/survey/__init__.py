"""The customer's pages: surveys by public link or personal invitation, thank-you pages,
unsubscribing. :mod:`.base` makes the blueprint; :mod:`.public` and :mod:`.invited` add
the routes of each kind of link, :mod:`.after` those of the thank-you page's next step,
:mod:`.recovery` the recovery survey's after a moment of pain was resolved."""

from surveyapp.web.survey import after, invited, public, recovery  # noqa: F401
from surveyapp.web.survey.base import bp

__all__ = ["bp"]
