"""What is wrong with a journey definition: each problem's place and reason.

A definition is refused as a whole, with every problem listed by its path
(``moments[2].kind``) or its line and column, and a reason a person can act on, in
English for the CLI and the API and in the manager's language on the admin pages.
"""

from __future__ import annotations

from typing import Any

from surveyapp.domain.errors import Invalid, Problem
from surveyapp.domain.i18n import N_, Message, message


def problem(path: str | Message, text: str, /, **values: Any) -> Problem:
    """A problem at ``path``: ``text`` is a message id filled with ``values``."""
    return Problem(path, message(text, **values))


UNKNOWN_FIELD = N_("unknown field (expected one of %(fields)s)")


def unknown_fields(data: dict, fields: tuple[str, ...], path: str, problems: list[Problem]) -> None:
    """A problem for each key of ``data`` (the mapping at ``path``) not in ``fields``."""
    for key in data:
        if key not in fields:
            where = f"{path}.{key}" if path else str(key)
            problems.append(problem(where, UNKNOWN_FIELD, fields=", ".join(fields)))


def line_at(line: int, column: int) -> Message:
    """Where in a file a parser stopped, as a translatable place."""
    return message(N_("line %(line)s, column %(column)s"), line=line, column=column)


class DefinitionError(Invalid):
    """A definition was refused; ``problems`` lists every reason."""

    code = "invalid_definition"

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems), problems=problems)
