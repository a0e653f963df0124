"""A spreadsheet's CSV as the text it holds, whatever saved it: its encoding (given by
the manager, or found), its separator, and its columns by the names managers give them
in French, Romanian or English. No Flask here.

Excel's plain "CSV" is Windows-1252 in France and Windows-1250 in Romania, its
"Unicode text" UTF-16 with tabs; LibreOffice and Google Sheets write UTF-8. A file that
is not UTF-8 is read in the legacy encoding whose reading gives the letters of names in
our languages (é è à ç, ă ș ț) rather than others (č ŕ, º þ ã): charset-normalizer took
a French Windows-1252 file for Windows-1250 (its è read as č), and a file's
non-ASCII bytes are few and tell the languages apart (tests/test_spreadsheets_in.py).
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from collections.abc import Mapping

from surveyapp.domain.errors import Invalid
from surveyapp.domain.i18n import N_, Message, message
from surveyapp.domain.spreadsheet_vocabulary import (
    CSV_COLUMN_NAMES,
    CSV_ENCODINGS,
    EXPECTED_LETTERS,
    LEGACY_ENCODINGS,
    LOCALE_NAMES,
)
from surveyapp.domain.text import simplified
from surveyapp.domain.vocabulary import LOCALES

#: What the first line may be split on, most likely first when counts tie.
SEPARATORS = (";", ",", "\t")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_LANGUAGE_TAG = re.compile(r"([a-z]{2})[-_][a-z]{2}")
#: Each known column name, simplified, to the column it names.
_COLUMNS = {name: column for column, names in CSV_COLUMN_NAMES.items() for name in names}


class CsvError(Invalid, ValueError):
    """The CSV as a whole cannot be read (encoding, empty, columns); ``why`` says it in
    any language."""

    code = "invalid_csv"

    def __init__(self, why: Message):
        self.why = why
        super().__init__(why)


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The text of a CSV and the encoding it was read in: ``encoding`` when the manager
    chose one (a key of CSV_ENCODINGS), else the one its byte order mark names, else
    UTF-8, else the legacy encoding that reads it best. CsvError if the chosen encoding
    cannot read it."""
    for bom, named in _BOMS:
        if data.startswith(bom) and encoding in (None, named, "utf-8"):
            return _decoded(data[len(bom) :], named, chosen=True)
    if encoding:
        return _decoded(data, encoding, chosen=True)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return _decoded(data, legacy_encoding(data), chosen=False)


def _decoded(data: bytes, encoding: str, *, chosen: bool) -> tuple[str, str]:
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as exc:
        raise CsvError(
            message(
                N_(
                    "the file cannot be read as %(encoding)s (byte %(byte)s): choose its "
                    "encoding, or save it as “CSV UTF-8”, and try again"
                ),
                encoding=message(CSV_ENCODINGS.get(encoding, encoding)),
                byte=str(exc.start),
            )
        ) from None


def legacy_encoding(data: bytes) -> str:
    """The legacy encoding (LEGACY_ENCODINGS) whose reading of ``data`` gives the most
    expected letters and the fewest others; each byte value is read once, not the file."""
    counts = Counter(data.translate(None, bytes(range(128))))
    best, best_score = LEGACY_ENCODINGS[-1], None
    for encoding in LEGACY_ENCODINGS:
        score = 0
        for byte, count in counts.items():
            try:
                letter = bytes([byte]).decode(encoding)
            except UnicodeDecodeError:  # a byte this encoding has no letter for
                score = None
                break
            score += count if letter in EXPECTED_LETTERS else -count
        if score is not None and (best_score is None or score > best_score):
            best, best_score = encoding, score
    return best


def separator(first_line: str) -> str:
    """What the header line is split on: the separator it holds most of."""
    return max(SEPARATORS, key=first_line.count)


def column_places(header: list[str], named: Mapping[str, str] | None = None) -> dict[str, int]:
    """Where each known column is (its first place), by the names managers give them;
    ``named`` (column: its name in this journey's files, as a manager said) comes first
    where the header has that name."""
    places: dict[str, int] = {}
    for place, name in enumerate(header):
        column = _COLUMNS.get(simplified(name))
        if column is not None:
            places.setdefault(column, place)
    by_name = {simplified(name): place for place, name in reversed(list(enumerate(header)))}
    for column, name in (named or {}).items():
        if simplified(name) in by_name:
            places[column] = by_name[simplified(name)]
    return places


def header_names(header: list[str]) -> list[str]:
    """A header's column names as a manager reads them: trimmed, empty ones left out,
    each once."""
    return list(dict.fromkeys(name.strip() for name in header if name.strip()))


def locale_code(cell: str) -> str:
    """A customer's language as a cell gives it (``fr``, ``FR-fr``, ``Română``,
    ``anglais``) as its code; a cell we do not know is kept as it is (the invitation
    then says it used the journey's language)."""
    key = simplified(cell)
    if key in LOCALES:
        return key
    if key in LOCALE_NAMES:
        return LOCALE_NAMES[key]
    tagged = _LANGUAGE_TAG.fullmatch(cell.strip().lower())  # fr-FR, en_GB, ro-RO
    if tagged and tagged[1] in LOCALES:
        return tagged[1]
    return cell
