"""The error model: what a service refuses, raised the same way in every layer and said
by each face in its own way (docs/architecture.md, "Errors").

Four kinds, each with the HTTP status it is answered with:

- :class:`NotFound` (404): what was asked for does not exist;
- :class:`Conflict` (409): it exists, but its state forbids this now (already answered,
  changed by someone else meanwhile);
- :class:`Invalid` (422): the input is wrong; ``problems`` says where and why (each a
  :class:`~surveyapp.domain.problems.Problem`, or a ``{"path", "reason"}`` mapping);
- :class:`Unavailable` (503): something the service needs is away (the database, a
  setting); the same request may work later (``retry_after`` seconds).

A message is a :class:`~surveyapp.domain.i18n.Message` (or plain English text): the
pages show it in the reader's language, the API and the CLI in English. The faces:
``web/errors.py`` (an HTML page; under ``/api/`` an RFC 9457 problem) and the CLI's
group (one line on stderr, exit status 1).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from surveyapp.domain.i18n import N_, Message, translate


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition: where (a path, or a line and column) and why.
    ``str()`` is the English line the CLI prints; :meth:`text` says it in a reader's
    language (the admin pages)."""

    path: str | Message
    why: str | Message  # plain English where no reader's language is ever wanted (the API)

    @property
    def reason(self) -> str:
        return str(self.why)

    def as_dict(self) -> dict[str, str]:
        """``{"path", "reason"}`` in English, as the API and exports give it."""
        return {"path": str(self.path), "reason": self.reason}

    def __str__(self) -> str:
        path = str(self.path)
        return f"{path}: {self.reason}" if path else self.reason

    def text(self, locale: str) -> str:
        path = self.path.text(locale) if isinstance(self.path, Message) else self.path
        reason = self.why.text(locale) if isinstance(self.why, Message) else self.why
        if not path:
            return reason
        return translate(locale, N_("%(path)s: %(reason)s"), path=path, reason=reason)


class Refusal(Exception):
    """What a service refuses. Subclasses set ``status`` and ``code``; a face that needs
    another (the API's 401 or 429) gives them to the constructor."""

    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str | Message,
        *,
        problems: Iterable[Problem | Mapping[str, str]] = (),
        headers: Mapping[str, str] | None = None,
        status: int | None = None,
        code: str | None = None,
    ):
        super().__init__(str(message))
        self.message = message
        self.problems = [
            p if isinstance(p, Problem) else Problem(p["path"], p["reason"]) for p in problems
        ]
        self.headers = dict(headers or {})
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code

    def text(self, locale: str) -> str:
        """The message in ``locale`` (plain text stays as written)."""
        return self.message.text(locale) if isinstance(self.message, Message) else self.message


class NotFound(Refusal):
    """What was asked for does not exist."""

    status = 404
    code = "not_found"


class Conflict(Refusal):
    """It exists, but its state forbids this now."""

    status = 409
    code = "conflict"


class Invalid(Refusal):
    """The input is wrong; ``problems`` says where and why."""

    status = 422
    code = "invalid"


class Unavailable(Refusal):
    """Something the service needs is away; try again after ``retry_after`` seconds."""

    status = 503
    code = "unavailable"

    def __init__(self, message: str | Message, *, retry_after: int = 5, **kwargs):
        super().__init__(message, **kwargs)
        self.headers.setdefault("Retry-After", str(retry_after))
