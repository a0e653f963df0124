"""Exports for the reader's spreadsheet: a semicolon CSV in the reader's language, and XLSX.

The comma CSV and the JSON (:mod:`.exports`) keep codes, for programs. These are for a CX
manager's Excel: headers in the reader's language; in the CSV, numbers with the reader's
decimal separator (no grouping, which Excel would read as text), and words for booleans
and polarities; in the XLSX, typed cells (numbers, dates, percentages) under a frozen
header row. Both keep the formula-cell protection: text is never a formula.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from babel.numbers import format_decimal

from surveyapp import storage
from surveyapp.domain import scoring
from surveyapp.domain.i18n import N_, language_name, translate
from surveyapp.domain.journeys import Journey
from surveyapp.domain.surveys import survey_for
from surveyapp.domain.vocabulary import CHANNEL_LABELS, CHOICES, KIND_LABELS, POLARITY_LABELS
from surveyapp.services.exports import csv_stream


@dataclass(frozen=True)
class Column:
    """One column: the key of its value, its header (a message id), and what it holds."""

    key: str
    header: str
    kind: str = "text"  # text, int, number, percent, bool, datetime, polarity, kind, ...
    #: For an answer: its choices' labels (message ids) by posted value, shown as words.
    choices: Mapping[str, str] = field(default_factory=dict)


RESPONSE_COLUMNS = (
    Column("id", N_("Response"), "int"),
    Column("created_at", N_("Date and time (UTC)"), "datetime"),
    Column("journey_id", N_("Journey")),
    Column("moment_id", N_("Moment")),
    Column("locale", N_("Language"), "locale"),
    Column("channel", N_("Channel"), "channel"),
    Column("polarity", N_("Lived as"), "polarity"),
    Column("customer_ref", N_("Customer")),
)
#: The themes a response's comment is about, named in the reader's language (docs/comments.md).
THEMES_COLUMN = Column("themes", N_("Themes"))
# Each score column's header and kind; the columns and their order are scoring's.
_SCORE_HEADERS: dict[str, tuple[str, str]] = {
    "id": (N_("Moment"), "text"),
    "kind": (N_("Kind of moment"), "kind"),
    "name": (N_("Name"), "text"),
    "retired": (N_("Retired"), "bool"),
    "responses": (N_("Responses"), "int"),
    "positive": (N_("Glory"), "int"),
    "neutral": (N_("So-so"), "int"),
    "negative": (N_("Pain"), "int"),
    "net_score": (N_("Net score"), "number"),
    "nps": (N_("NPS"), "number"),
    "csat_mean": (N_("CSAT (1–5)"), "number"),
    "csat_satisfied_pct": (N_("Satisfied, % (CSAT 4–5)"), "percent"),
    "ces_mean": (N_("CES (1–7)"), "number"),
    "invited": (N_("Invitations made"), "int"),
    "sent": (N_("Invitations sent"), "int"),
    "opened": (N_("Invitations opened"), "int"),
    "answered": (N_("Invitations answered"), "int"),
    "reached": (N_("Invitations that reached the customer"), "int"),
    "response_rate_pct": (N_("Response rate, %"), "percent"),
    "response_rate_low_pct": (N_("Response rate, interval low, %"), "percent"),
    "response_rate_high_pct": (N_("Response rate, interval high, %"), "percent"),
}
SCORE_COLUMNS = tuple(Column(code, *_SCORE_HEADERS[code]) for code in scoring.SCORE_COLUMNS)
#: The words of each kind of coded value.
_LABELS_BY_KIND = {"polarity": POLARITY_LABELS, "channel": CHANNEL_LABELS, "kind": KIND_LABELS}
THE_MOMENT = N_("the moment")
#: Question types whose answers are words (the others are numbers or the customer's text).
WORDED_TYPES = ("polarity", "yesno")


def question_columns(journey: Journey, moments: Iterable) -> list[Column]:
    """One column per question key the journey's moments ask, in journey order; its
    header is the question as a reader reads it, about "the moment"."""
    columns: dict[str, Column] = {}
    for moment in moments:
        for question in survey_for(journey, moment).questions:
            if question.key not in columns:
                words = dict(CHOICES[question.type]) if question.type in WORDED_TYPES else {}
                columns[question.key] = Column(question.key, question.text, "answer", words)
    return list(columns.values())


def _header(column: Column, locale: str, brand: str) -> str:
    if column.kind != "answer":
        return translate(locale, column.header)
    text = translate(
        locale, column.header, moment=translate(locale, THE_MOMENT), brand=brand
    ).strip()
    return text[:1].upper() + text[1:]


def _value(row: dict[str, Any], column: Column) -> Any:
    return row["answers"].get(column.key) if column.kind == "answer" else row.get(column.key)


def _word(value: Any, column: Column, locale: str) -> Any:
    """A value as words where the reader reads words (CSV and XLSX alike)."""
    if column.choices and value is not None:
        label = column.choices.get(str(value))
        return translate(locale, label) if label else value
    labels = _LABELS_BY_KIND.get(column.kind)
    if labels is not None and value in labels:
        return translate(locale, labels[value])
    if column.kind == "locale" and value:
        return language_name(value)
    if column.kind == "bool" and value is not None:
        return translate(locale, N_("Yes") if value else N_("No"))
    if column.kind == "datetime" and value:
        return storage.parse_iso(value).replace(tzinfo=None)  # Excel has no time zones
    return value


def _csv_text(value: Any, column: Column, locale: str) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float) and column.kind in ("number", "percent"):
        # The reader's decimal separator, no grouping: "1 234,5" would be text to Excel.
        return format_decimal(value, "0.0##", locale=locale)
    return value


def localized_csv(
    columns: list[Column], rows: Iterable[dict[str, Any]], locale: str, brand: str
) -> Iterator[str]:
    """A semicolon CSV in ``locale``: translated headers, decimal commas, words."""
    header = [_header(c, locale, brand) for c in columns]
    lines = ([_csv_text(_word(_value(r, c), c, locale), c, locale) for c in columns] for r in rows)
    return csv_stream(header, lines, ";")


def xlsx(
    columns: list[Column],
    rows: Iterable[dict[str, Any]],
    locale: str,
    brand: str,
    target: str | io.BytesIO,
) -> None:
    """An XLSX workbook: typed cells, a frozen header row, text never read as a formula.

    Written to a file path row by row in xlsxwriter's constant-memory mode (a million
    responses in flat memory, benchmarks/exports.py), or to memory for a small table.
    """
    # Text stays text: no formula, no link made of what a customer typed.
    options = {"strings_to_formulas": False, "strings_to_urls": False}
    if isinstance(target, io.BytesIO):
        options["in_memory"] = True
    else:
        options["constant_memory"] = True
    import xlsxwriter  # only when a workbook is asked for: 2 MB in every worker otherwise

    with xlsxwriter.Workbook(target, options) as book:
        sheet = book.add_worksheet()
        bold = book.add_format({"bold": True})
        formats = {
            "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
            "percent": book.add_format({"num_format": "0.0%"}),
            "number": book.add_format({"num_format": "0.0##"}),
        }
        for x, column in enumerate(columns):
            sheet.write_string(0, x, _header(column, locale, brand), bold)
        sheet.freeze_panes(1, 0)
        for y, row in enumerate(rows, start=1):
            for x, column in enumerate(columns):
                value = _word(_value(row, column), column, locale)
                if value is None or value == "":
                    continue
                if isinstance(value, datetime):
                    sheet.write_datetime(y, x, value, formats["datetime"])
                elif isinstance(value, bool) or not isinstance(value, int | float):
                    sheet.write_string(y, x, str(value))  # a text cell: never a formula
                elif column.kind == "percent":
                    sheet.write_number(y, x, value / 100, formats["percent"])
                else:
                    sheet.write_number(y, x, value, formats.get(column.kind))
