"""Exports of responses and scores, as CSV that Excel opens correctly, or JSON.

CSV starts with a UTF-8 BOM so Excel reads accents right, can use semicolons
(what French and Romanian Excel expect), and neutralizes cells that a
spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A text that a spreadsheet would take for a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
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


def response_rows(responses: Iterable[dict[str, Any]], question_keys: list[str]):
    """Flatten responses: one column per question key, in the journey's order."""
    for r in responses:
        yield [
            r["id"],
            r["created_at"],
            r["journey_id"],
            r["moment_id"],
            r["locale"],
            r["channel"],
            r["polarity"],
            r["customer_ref"],
        ] + [r["answers"].get(key) for key in question_keys]


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


def json_stream(items: Iterable[dict[str, Any]], wrapper_key: str, head: dict) -> Iterator[str]:
    """A JSON document ``{...head, wrapper_key: [items]}`` written item by item."""
    opening = json.dumps(head, ensure_ascii=False)[:-1]
    yield (opening + ", " if head else "{") + json.dumps(wrapper_key) + ": ["
    for index, item in enumerate(items):
        yield ("," if index else "") + json.dumps(item, ensure_ascii=False)
    yield "]}"
