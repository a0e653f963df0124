"""Exports for the reader's Excel: a semicolon CSV in the manager's language, and XLSX with
typed cells; CSV and JSON with codes keep their times to the second."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import openpyxl
import pytest

from surveyapp.services import accounts
from tests.helpers import admin_log_in, export_responses, record_scored

WHEN = datetime.fromisoformat("2026-11-24T09:30:15.123456+00:00")


@pytest.fixture
def manager(app, db, loaded):
    """A Romanian manager, and three answers: one a formula typed as a comment."""
    cafe = loaded["cafe"]
    record_scored(db, cafe, "meal", {"experience": "negative", "why": "=1+1"}, when=WHEN)
    record_scored(db, cafe, "meal", {"experience": "positive"}, when=WHEN)
    record_scored(db, cafe, "meal", {"experience": "positive"}, when=WHEN)
    accounts.create(db, "ana", "correct horse battery", "admin")
    client = app.test_client()
    admin_log_in(client, "ana", "correct horse battery", "ro")
    return client


def rows_of(manager, what: str) -> list[dict[str, str]]:
    if what == "responses":
        raw = export_responses(manager, "cafe", "excel_csv").get_data(as_text=True)
    else:
        raw = manager.get(f"/admin/j/cafe/export/{what}.csv?sep=semicolon").get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(raw.lstrip("\ufeff")), delimiter=";"))


def test_the_semicolon_csv_speaks_the_managers_language(manager):
    responses = rows_of(manager, "responses")
    pain = next(r for r in responses if r["Trăit ca"] == "Durere")
    assert pain["Data și ora (UTC)"] == "2026-11-24 09:30:15"  # no microseconds
    assert pain["Limba"] == "Français" and pain["Canal"] == "Link public"
    assert pain["Momentul: cum a fost?"] == "Rău"  # the answer as the customer read it
    assert "'=1+1" in pain.values()  # still no formula
    meal = next(r for r in rows_of(manager, "scores") if r["Moment"] == "meal")
    assert meal["Retras"] == "Nu" and meal["Răspunsuri"] == "3"
    assert meal["Scor net"] == "33,3"  # a decimal comma, for a Romanian Excel
    assert meal["Tipul momentului"] == "SMOT: utilizarea"


def test_the_xlsx_export_has_typed_cells_and_a_frozen_header(manager):
    response = manager.get("/admin/j/cafe/export/scores.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="cafe-scores.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    meal = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "meal")
    cell = dict(zip(header, meal, strict=True))
    assert cell["Răspunsuri"].value == 3 and cell["Răspunsuri"].data_type == "n"
    assert cell["Scor net"].value == 33.3 and cell["Scor net"].data_type == "n"
    assert cell["Retras"].value == "Nu"
    responses = openpyxl.load_workbook(
        io.BytesIO(export_responses(manager, "cafe", "xlsx").get_data())
    ).active
    when = [c for c in responses["B"][1:]]
    assert all(c.is_date and c.number_format == "yyyy-mm-dd hh:mm:ss" for c in when)
    assert {c.value.replace(microsecond=0) for c in when} == {datetime(2026, 11, 24, 9, 30, 15)}
    texts = [c for row in responses.iter_rows(min_row=2) for c in row if c.value == "=1+1"]
    assert texts and all(c.data_type == "s" for c in texts)  # text, never a formula


def test_the_xlsx_export_follows_the_dashboard_filters(manager):
    empty = export_responses(manager, "cafe", "xlsx", "?since=2026-12-01")
    sheet = openpyxl.load_workbook(io.BytesIO(empty.get_data())).active
    assert sheet.max_row == 1  # the header only


def test_csv_and_json_with_codes_write_times_to_the_second(manager):
    raw = export_responses(manager, "cafe", "csv").get_data(as_text=True)
    (first, *_) = list(csv.DictReader(io.StringIO(raw.lstrip("\ufeff"))))
    assert first["created_at"] == "2026-11-24T09:30:15Z" and first["polarity"] in (
        "positive",
        "neutral",
        "negative",
    )
    data = json.loads(export_responses(manager, "cafe", "json").get_data())
    assert {r["created_at"] for r in data["responses"]} == {"2026-11-24T09:30:15Z"}
