"""A journey's responses written to a file, in the format a manager asked for: CSV with
codes (for programs), CSV with semicolons in the manager's language (for Excel), XLSX, or
JSON. The background jobs (services/jobs.py) run it; rows are streamed from the database
and written as they come, so memory stays flat whatever the size (benchmarks/exports.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from surveyapp import storage
from surveyapp.domain.journeys import Journey
from surveyapp.domain.surveys import survey_for
from surveyapp.services import exports, spreadsheets
from surveyapp.services.dashboard import Filters
from surveyapp.storage import Database

FORMATS = ("csv", "excel_csv", "xlsx", "json")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "excel_csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: The file's extension: Excel's CSV is a CSV too.
EXTENSIONS = {"csv": "csv", "excel_csv": "csv", "json": "json", "xlsx": "xlsx"}


def file_name(journey_id: str, fmt: str) -> str:
    """What the downloaded file is called."""
    suffix = "-excel" if fmt == "excel_csv" else ""
    return f"{journey_id}-responses{suffix}.{EXTENSIONS[fmt]}"


def question_keys(journey: Journey, moments: Iterable) -> list[str]:
    """Each question key the moments ask, once, in journey order (the codes' columns)."""
    keys: list[str] = []
    for moment in moments:
        for question in survey_for(journey, moment).questions:
            if question.key not in keys:
                keys.append(question.key)
    return keys


def write_responses(
    db: Database,
    journey: Journey,
    *,
    fmt: str,
    filters: Filters,
    locale: str,
    target: Path,
    counted: Callable[[int], None],
) -> int:
    """Write the responses within ``filters`` to ``target`` in ``fmt``, telling
    ``counted`` how many rows are written as it goes; how many rows in all."""
    moments = [*journey.moments, *storage.journeys.retired_moments(db, journey.id)]
    written = 0
    # The themes each comment is about, named in the file's language (codes: the
    # journey's default one), where the journey has themes (docs/comments.md).
    themes = storage.themes.list_themes(db, journey.id)
    named = journey.default_locale if fmt in ("csv", "json") else locale
    about = _themes_of(themes, named, journey.default_locale) if themes else None

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal written
        for found in storage.responses.iter_responses(
            db, journey.id, **filters.as_kwargs(), with_comment=about is not None
        ):
            if about is not None:
                found["themes"] = about(found.pop("comment"), found["locale"])
            yield found
            written += 1
            counted(written)

    theme_columns = [spreadsheets.THEMES_COLUMN] if themes else []
    if fmt in ("xlsx", "excel_csv"):
        columns = [
            *spreadsheets.RESPONSE_COLUMNS,
            *spreadsheets.question_columns(journey, moments),
            *theme_columns,
        ]
        if fmt == "xlsx":
            spreadsheets.xlsx(columns, rows(), locale, journey.brand, str(target))
            return written
        chunks = spreadsheets.localized_csv(columns, rows(), locale, journey.brand)
    elif fmt == "json":
        to_the_second = ({**r, "created_at": exports.seconds(r["created_at"])} for r in rows())
        chunks = exports.json_stream(to_the_second, "responses", {"journey": journey.id})
    else:
        keys = question_keys(journey, moments)
        header = exports.RESPONSE_HEADER + keys + (["themes"] if themes else [])
        flat = exports.response_rows(rows(), keys, themes=bool(themes))
        chunks = exports.csv_stream(header, flat, ",")
    with target.open("w", encoding="utf-8", newline="") as out:
        for chunk in chunks:
            out.write(chunk)
    return written


def _themes_of(themes, locale: str, fallback: str) -> Callable[[str | None, str], str]:
    """What names the themes a comment is about: ``"Attente, Prix"`` (empty: none)."""
    from surveyapp.services.comment_themes import Tagger  # stemmers: where themes are

    tagger = Tagger(themes)

    def named(comment: str | None, comment_locale: str) -> str:
        found = tagger.about(comment, comment_locale) if comment else []
        return ", ".join(theme.name(locale, fallback) for theme in found)

    return named
