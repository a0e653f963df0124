"""Reading a company's list of customers to invite: a spreadsheet's CSV, checked row by
row, each problem with its line and a reason in the reader's language (English for the
CLI, the manager's on the admin pages). No Flask here."""

from __future__ import annotations

import csv
import io
from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from surveyapp.domain.i18n import N_, Message, message
from surveyapp.domain.problems import Problem
from surveyapp.domain.text import has_control_characters, is_valid_email
from surveyapp.services import csv_text
from surveyapp.services.csv_text import CsvError

MAX_CUSTOMER_REF = 200
CSV_COLUMNS = ("customer", "email", "locale")


class UnknownColumns(CsvError):
    """No column of the header names the customer in words we know: its manager may say
    which column is which (``header``: its names; ``encoding``: the one it was read in)."""

    def __init__(self, why: Message, header: list[str], encoding: str):
        super().__init__(why)
        self.header, self.encoding = header, encoding


#: Which column holds what, as a manager says it: {"customer": "Nom du client", ...}.
Columns = Mapping[str, str]


@dataclass(slots=True)  # a million of them in an import: a third less memory
class Request:
    """One invitation asked for: a CSV row or a CLI/API call."""

    customer: str
    email: str | None = None
    locale: str | None = None
    line: int | None = None


@dataclass(slots=True)
class BadRow:
    """A row that cannot be an invitation: its line, and why."""

    line: int
    problem: Problem


def check_request(customer: str, email: str | None) -> Message | None:
    """Why a request cannot be an invitation, or None."""
    if not customer:
        return message(N_("the customer reference is empty"))
    if len(customer) > MAX_CUSTOMER_REF:
        return message(
            N_("the customer reference is longer than %(max)s characters"), max=MAX_CUSTOMER_REF
        )
    if has_control_characters(customer):
        return message(
            N_("the customer reference contains a line break or another control character")
        )
    if email is not None and not is_valid_email(email):
        return message(N_("the email address “%(email)s” is not valid"), email=email)
    return None


def _line(number: int) -> Message:
    return message(N_("line %(line)s"), line=number)


def _rows(
    data: bytes, encoding: str | None, columns: Columns | None = None
) -> tuple[Iterator[list[str]], list, int, str]:
    """The file's rows after its header, each column's place (customer, email, locale;
    None when missing; ``columns`` as a manager named them first), the header's width,
    and the encoding it was read in; CsvError when the file as a whole cannot be read
    (its encoding, nothing in it), UnknownColumns when no column names the customer."""
    if data.startswith(b"PK\x03\x04"):
        raise CsvError(
            message(
                N_(
                    "this is an Excel workbook, not a CSV file: in Excel, choose "
                    "File › Save as › “CSV UTF-8”, and upload that file"
                )
            )
        )
    text, encoding = csv_text.decode(data, encoding)
    if not text.strip():
        raise CsvError(message(N_("the file is empty")))
    delimiter = csv_text.separator(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, [])
    places = csv_text.column_places(header, columns)
    if "customer" not in places:
        why = message(
            N_(
                "the first line must name the columns: customer, email and locale "
                "(or client, e-mail and langue; or client, e-mail and limba) "
                "(found: %(found)s)"
            ),
            found=", ".join(c.strip() for c in header) or "—",
        )
        named = csv_text.header_names(header)
        raise UnknownColumns(why, named, encoding) if named else CsvError(why)
    return reader, [places.get(name) for name in CSV_COLUMNS], len(header), encoding


def check_file(data: bytes, encoding: str | None = None, columns: Columns | None = None) -> str:
    """What can be said of a file at once, before its rows are read (cheap enough for a
    web request: 16 MB in about 20 ms): the encoding it is read in, or CsvError if it
    cannot be read at all (UnknownColumns: unless its manager says which column is
    which)."""
    return _rows(data, encoding, columns)[3]


def rows_of(
    data: bytes,
    *,
    encoding: str | None = None,
    check: bool = True,
    columns: Columns | None = None,
) -> Iterator[Request | BadRow]:
    """Each row of a spreadsheet's CSV in order (comma, semicolon or tab; UTF-8, UTF-16
    or a legacy encoding, csv_text.decode; columns named in fr, ro or en): a Request, or
    a BadRow (``line N: reason``); blank
    lines are skipped. Raises CsvError at once when the file as a whole cannot be read,
    and while reading for a line that cannot be (a quote never closed, a NUL byte).
    One row at a time: an import of a million rows never holds them all. Without
    ``check``, cells are not checked (rows read again after :func:`check_rows`).
    ``columns``: which column is which, as a manager said, where names are not known."""
    # Each column's place, or None (a file may lack email and locale); a plain reader,
    # not DictReader: a million rows read in half the time.
    reader, where, width, _ = _rows(data, encoding, columns)
    return _read(reader, where, width, check)


def _read(reader, where: list[int | None], width: int, check: bool) -> Iterator[Request | BadRow]:
    try:
        for row in reader:
            line = reader.line_num
            if len(row) > width:
                yield BadRow(line, Problem(_line(line), message(N_("more cells than columns"))))
                continue
            customer, email, locale = (
                row[at].strip() if at is not None and at < len(row) else "" for at in where
            )
            if not (customer or email or locale):
                continue  # spreadsheets leave blank lines at the end
            why = check_request(customer, email or None) if check else None
            if why:
                yield BadRow(line, Problem(_line(line), why))
                continue
            yield Request(
                customer, email or None, csv_text.locale_code(locale) if locale else None, line
            )
    except csv.Error as exc:  # a quote never closed, a NUL byte: the file as a whole
        raise CsvError(
            message(
                N_("line %(line)s cannot be read (%(why)s)"), line=reader.line_num, why=str(exc)
            )
        ) from None


@dataclass(frozen=True)
class Checked:
    """A CSV's rows counted: its good rows, its bad ones (their lines), the first bad
    ones."""

    requests: int
    bad_lines: array
    problems: list[Problem]
    encoding: str  # the one it was read in
    columns: Columns | None = None  # as its manager named them


def check_rows(
    data: bytes, *, shown: int, encoding: str | None = None, columns: Columns | None = None
) -> Checked:
    """Count a CSV's good and bad rows, keeping the first ``shown`` problems and the
    line of every bad row (4 bytes each), without holding its rows. Raises CsvError as
    :func:`read_csv` does."""
    reader, where, width, encoding = _rows(data, encoding, columns)  # decoded once here
    requests, bad_lines, problems = 0, array("L"), []
    for row in _read(reader, where, width, True):
        if isinstance(row, Request):
            requests += 1
        else:
            bad_lines.append(row.line)
            if len(problems) < shown:
                problems.append(row.problem)
    _refuse_empty(requests + len(bad_lines))
    return Checked(requests, bad_lines, problems, encoding, columns)


def requests_of(data: bytes, checked: Checked) -> Iterator[Request]:
    """The good rows of a CSV that :func:`check_rows` checked, in order, read again
    without checking their cells again (an address costs 28 µs to check)."""
    bad = iter(checked.bad_lines)
    next_bad = next(bad, None)
    for row in rows_of(data, encoding=checked.encoding, check=False, columns=checked.columns):
        if isinstance(row, Request) and row.line != next_bad:
            yield row
            continue
        next_bad = next(bad, None)


def read_csv(
    data: bytes, encoding: str | None = None, columns: Columns | None = None
) -> tuple[list[Request], list[Problem]]:
    """Rows of a spreadsheet's CSV (:func:`rows_of`): the requests, and one problem per
    bad row. Raises CsvError when the file cannot be read at all."""
    requests, problems = [], []
    for row in rows_of(data, encoding=encoding, columns=columns):
        if isinstance(row, Request):
            requests.append(row)
        else:
            problems.append(row.problem)
    _refuse_empty(len(requests) + len(problems))
    return requests, problems


def _refuse_empty(rows: int) -> None:
    if not rows:
        raise CsvError(message(N_("the file has a header but no customer")))
