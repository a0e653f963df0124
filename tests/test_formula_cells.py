"""No cell a spreadsheet could run as a formula, whichever separator it splits a file on.

A French or Romanian Excel splits a comma file on semicolons; a paste splits on tabs. Each
file is read back with each separator, as those spreadsheets would.
"""

from __future__ import annotations

import csv
import io

import pytest

from surveyapp.services import exports
from tests.helpers import admin_log_in, export_responses

HOSTILE = [
    "=1+1",
    "@SUM(A1)",
    "Très bon;=cmd|' /C calc'!A0",
    "froid, -2+3 et puis",
    "ok\t+33 6 12",
    'dit "=HYPERLINK(""http://x"")"',
    "fin;  @x",
]


def formula_cells(text: str) -> list[str]:
    """The cells of ``text`` that would start a formula, splitting on each separator."""
    found = []
    for separator in exports.SEPARATORS:
        for row in csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=separator):
            for cell in row:
                start = cell.lstrip(' "')
                try:
                    float(start)
                    continue  # a negative number is a number, not a formula
                except ValueError:
                    pass
                if start.startswith(("=", "+", "-", "@")):
                    found.append(repr(cell))
    return found


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("delimiter", [",", ";"])
def test_an_exported_cell_starts_no_formula_under_any_separator(value, delimiter):
    text = "".join(exports.csv_stream(["a", "b"], [[value, -3.5]], delimiter))
    assert formula_cells(text) == []
    (_, (cell, number)) = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    assert cell.replace("'", "") == value.replace("'", "") and number == "-3.5"  # kept as text


def test_the_admin_exports_start_no_formula_under_any_separator(app, db, loaded, answer):
    from surveyapp.services import accounts

    for why in HOSTILE:
        answer("/j/cafe/meal?lang=fr", {"experience": "negative", "why": why})
    accounts.create(db, "maria", "correct horse battery", "admin")
    manager = app.test_client()
    admin_log_in(manager, "maria", "correct horse battery")
    for query in ("", "?sep=semicolon"):
        raw = manager.get(f"/admin/j/cafe/export/scores.csv{query}").get_data(as_text=True)
        assert formula_cells(raw) == [], query
    for fmt in ("csv", "excel_csv"):
        raw = export_responses(manager, "cafe", fmt).get_data(as_text=True)
        assert formula_cells(raw) == [], fmt
    assert "Très bon;'=cmd" in export_responses(manager, "cafe", "csv").get_data(as_text=True)


def test_the_links_file_starts_no_formula_under_any_separator(run_cli, loaded, tmp_path):
    customers = tmp_path / "customers.csv"
    customers.write_text(
        'customer,email,locale\n"C-1;=1+1",,ro\n"@SUM(A1)",,fr\n"C-3,-2+3",,fr\n',
        encoding="utf-8",
    )
    out = tmp_path / "links.csv"
    result = run_cli("invite", "cafe", "meal", "--csv", customers, "--out", out)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8-sig")
    assert text.count("/s/") == 3
    assert formula_cells(text) == []


def test_the_quick_way_for_a_cell_without_separators_protects_as_the_expression_does():
    import random

    from surveyapp.services.exports import _FORMULA_START, safe_cell

    alphabet = ["=", "+", "-", "@", "\t", "\r", " ", '"', "a", "1", ",", ";", "'", "é"]
    rng = random.Random(29)
    for _ in range(50_000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randrange(8)))
        assert safe_cell(value) == _FORMULA_START.sub(lambda m: m.group(0) + "'", value), value
