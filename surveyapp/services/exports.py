"""Exports of responses and scores, as CSV that Excel opens correctly, or JSON.

CSV starts with a UTF-8 BOM so Excel reads accents right, can use semicolons
(what French and Romanian Excel expect), and neutralizes cells that a
spreadsheet would run as a formula, whichever separator it splits the file on.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: What a spreadsheet may split a CSV file on: a French or Romanian Excel splits a comma
#: file on semicolons, and a pasted one on tabs.
SEPARATORS = (",", ";", "\t")
# Where a cell could begin, whichever separator splits the text (its start, or just after a
# separator, past spaces and quotes), followed by what a formula starts with.
_FORMULA_START = re.compile(
    "(?:^|(?<=[" + re.escape("".join(SEPARATORS)) + ']))[ "]*'
    "(?=[" + re.escape("".join(FORMULA_STARTS)) + "])"
)


#: The first characters after which a cell without a separator needs a closer look.
_RISKY_FIRST = frozenset(FORMULA_STARTS) | {" ", '"'}


def safe_cell(value: Any) -> Any:
    """A text that a spreadsheet could take for a formula gets an apostrophe where the
    formula would start, also where splitting on another separator would start a cell."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    if "," in value or ";" in value or "\t" in value:
        return _FORMULA_START.sub(lambda m: m.group(0) + "'", value)
    # No separator: only its start could begin a formula. The same answer as the
    # expression's, five times faster (a links.csv writes a million customers), and most
    # cells are settled by their first character.
    if value[:1] not in _RISKY_FIRST:
        return value
    start = len(value) - len(value.lstrip(' "'))
    if value[start : start + 1] in FORMULA_STARTS and start < len(value):
        return value[:start] + "'" + value[start:]
    return value


def csv_stream(header: list[str], rows: Iterable[list[Any]], delimiter: str = ",") -> Iterator[str]:
    """CSV text in chunks: the BOM and header first, then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    yield BOM + buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_cell(v) for v in row])
        yield buffer.getvalue()


def response_rows(
    responses: Iterable[dict[str, Any]], question_keys: list[str], *, themes: bool = False
):
    """Flatten responses: one column per question key, in the journey's order (and the
    themes their comment is about, last)."""
    for r in responses:
        yield (
            [
                r["id"],
                seconds(r["created_at"]),
                r["journey_id"],
                r["moment_id"],
                r["locale"],
                r["channel"],
                r["polarity"],
                r["customer_ref"],
            ]
            + [r["answers"].get(key) for key in question_keys]
            + ([r["themes"]] if themes else [])
        )


RESPONSE_HEADER = [
    "id",
    "created_at",
    "journey",
    "moment",
    "locale",
    "channel",
    "polarity",
    "customer",
]


def seconds(stamp: str) -> str:
    """A stored time (``2026-11-23T10:22:36.123456Z``) to the second, as exports write it."""
    return stamp[:19] + "Z" if stamp and len(stamp) > 20 else stamp


def json_stream(items: Iterable[dict[str, Any]], wrapper_key: str, head: dict) -> Iterator[str]:
    """A JSON document ``{...head, wrapper_key: [items]}`` written item by item."""
    opening = json.dumps(head, ensure_ascii=False)[:-1]
    yield (opening + ", " if head else "{") + json.dumps(wrapper_key) + ": ["
    for index, item in enumerate(items):
        yield ("," if index else "") + json.dumps(item, ensure_ascii=False)
    yield "]}"
