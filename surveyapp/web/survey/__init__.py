"""The customer's pages: surveys by public link or personal invitation, thank-you pages,
unsubscribing."""

from surveyapp.web.survey.views import bp

__all__ = ["bp"]
