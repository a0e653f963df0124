"""JSON from outside (API bodies, definitions), parsed at a cost bounded by its size.

Python's parser is fast and safe from deep recursion (it raises ``RecursionError``), but
what it builds can cost more than the text: 1 MB of ``[],`` is 333,000 lists and 50 ms
of CPU. So before it runs, three C-speed passes count what the text would build:
quotation marks (at most :data:`MAX_QUOTES`, which bounds the strings), arrays and objects (at most
:data:`MAX_CONTAINERS`), and their nesting (at most :data:`MAX_NESTING` levels, checked
by a regular expression: nesting bounded by a number is a regular language). Every pass
is linear, with no backtracking: the string pattern always matches once it starts (an
unterminated string runs to the end), so a body of escaped quotes, which cost the old
check 30 s of CPU for 100 KB, costs 10 ms a megabyte. Figures: benchmarks/parsing.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from surveyapp.domain.i18n import N_, Message, message

#: How deep arrays and objects may nest (a real definition needs 4, an API body 3).
MAX_NESTING = 32
#: How many quotation marks one text may hold (an invitation batch of 1,000 holds about
#: 24,000; escaped ones count too).
MAX_QUOTES = 200_000
#: How many arrays and objects one text may hold (the same batch holds about 1,000).
MAX_CONTAINERS = 20_000

TOO_DEEP = N_("arrays and objects are nested more than %(max)s levels deep")
TOO_MANY_QUOTES = N_("it holds more than %(max)s quotation marks")
TOO_MANY_CONTAINERS = N_("it holds more than %(max)s arrays and objects")

# A string (it always matches once begun: unterminated, it runs to the end), or a run of
# text that is neither a string nor a bracket. Possessive: nothing to backtrack into.
_A_STRING = r'"(?:[^"\\]++|\\.)*+(?:"|\\?\Z)'
_STRING = re.compile(_A_STRING, re.DOTALL)
_STRING_OR_OTHER = re.compile(_A_STRING + r'|[^"\[\]{}]++', re.DOTALL)


def _nested_at_most(depth: int) -> re.Pattern[str]:
    pattern = ""
    for _ in range(depth):
        pattern = r"(?:[\[{]" + pattern + r"[\]}])*+"
    return re.compile(pattern)


_SHALLOW = _nested_at_most(MAX_NESTING)


class JsonRefused(ValueError):
    """JSON refused for its shape before it is parsed; ``why`` says why (a Message)."""

    def __init__(self, why: Message):
        super().__init__(str(why))
        self.why = why


def load_json(text: str, object_pairs_hook: Callable | None = None) -> Any:
    """``text`` parsed as JSON, at a cost bounded by its length. Raises
    :class:`JsonRefused` for a shape over the limits, ``json.JSONDecodeError`` (a
    ``ValueError``) for a text that is not JSON."""
    if text.count('"') > MAX_QUOTES:
        raise JsonRefused(message(TOO_MANY_QUOTES, max=MAX_QUOTES))
    if sum(map(text.count, "[]{}")) > 2 * MAX_CONTAINERS:
        # Too many brackets, or some inside strings: count those outside them (a pass
        # with one match per string, which the quotes bound).
        outside = _STRING.sub("", text)
        if sum(map(outside.count, "[]{}")) > 2 * MAX_CONTAINERS:
            raise JsonRefused(message(TOO_MANY_CONTAINERS, max=MAX_CONTAINERS))
    # One match per string and per run between brackets, both bounded by now.
    brackets = _STRING_OR_OTHER.sub("", text)
    if brackets.count("[") + brackets.count("{") > MAX_CONTAINERS:
        raise JsonRefused(message(TOO_MANY_CONTAINERS, max=MAX_CONTAINERS))
    shallow = _SHALLOW.fullmatch(brackets) is not None
    try:
        # Brackets that do not pair up are not JSON: the parser says where, in its words.
        data = json.loads(text, object_pairs_hook=object_pairs_hook)
    except RecursionError:
        raise JsonRefused(message(TOO_DEEP, max=MAX_NESTING)) from None
    if not shallow:
        raise JsonRefused(message(TOO_DEEP, max=MAX_NESTING))
    return data
