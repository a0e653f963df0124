"""Customers to invite from the spreadsheet a manager has: Excel's CSV in Windows-1252
(France) or Windows-1250 (Romania), ISO-8859-2, UTF-8 with or without BOM, UTF-16 with
tabs; commas, semicolons or tabs; columns named in French, Romanian or English; each
file written by Python's csv module as those programs write it."""

from __future__ import annotations

import csv
import io
import re

import pytest
import xlsxwriter

from surveyapp.services import csv_text, invitation_csv
from surveyapp.services.invitation_csv import CsvError
from tests.helpers import sql, upload_customers

FRENCH = [
    ["Client", "E-mail", "Langue"],
    ["C-1", "helene.lefevre@example.fr", "fr"],
    ["Café Crème SARL", "francois@example.fr", "Français"],
    ["Père Noël", "", "FR-fr"],
]
ROMANIAN = [
    ["Client", "Adresă de e-mail", "Limbă"],
    ["Ştefan Bălan", "stefan@example.ro", "ro"],
    ["Ţurcanu Ioana", "", "Română"],
    ["C-3", "ana@example.ro", "franceză"],
]
ENGLISH = [["customer", "email", "locale"], ["C-1", "a@example.com", "en"]]


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True).replace("\u202f", " "))


def written(rows: list[list[str]], encoding: str, delimiter: str) -> bytes:
    """A CSV as a spreadsheet program saves it: CRLF, in ``encoding``."""
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return text.getvalue().encode(encoding)


@pytest.mark.parametrize(
    ("rows", "encoding", "delimiter", "found"),
    [
        (FRENCH, "cp1252", ";", "cp1252"),  # French Excel's "CSV (séparateur : point-virgule)"
        (FRENCH, "utf-8-sig", ";", "utf-8"),  # Excel's "CSV UTF-8"
        (FRENCH, "utf-8", ",", "utf-8"),  # LibreOffice, Google Sheets
        (FRENCH, "utf-16", "\t", "utf-16"),  # Excel's "Unicode text"
        (ROMANIAN, "cp1250", ";", "cp1250"),  # Romanian Excel's plain CSV
        (ROMANIAN, "iso8859_2", ",", "cp1250"),  # the same letters: read alike
        (ROMANIAN, "utf-8-sig", ";", "utf-8"),
        (ENGLISH, "ascii", ",", "utf-8"),
    ],
)
def test_a_spreadsheet_in_its_own_encoding_and_language_is_read_right(
    rows, encoding, delimiter, found
):
    data = written(rows, encoding, delimiter)
    requests, problems = invitation_csv.read_csv(data)
    assert problems == []
    assert [(r.customer, r.email) for r in requests] == [(c, e or None) for c, e, _ in rows[1:]]
    assert invitation_csv.check_file(data) == found


def test_a_customers_language_may_be_its_code_or_its_name_in_any_of_our_languages():
    french, _ = invitation_csv.read_csv(written(FRENCH, "cp1252", ";"))
    romanian, _ = invitation_csv.read_csv(written(ROMANIAN, "cp1250", ";"))
    assert [r.locale for r in french] == ["fr", "fr", "fr"]
    assert [r.locale for r in romanian] == ["ro", "ro", "fr"]
    assert [csv_text.locale_code(c) for c in ("engleză", "en_GB", "RO")] == ["en", "en", "ro"]
    assert csv_text.locale_code("Klingon") == "Klingon"  # kept: the invitation says so


def test_a_legacy_file_read_as_the_manager_chose_or_refused_if_it_cannot_be():
    data = written(ROMANIAN, "cp1250", ";")
    requests, _ = invitation_csv.read_csv(data, encoding="cp1252")  # her choice, wrong
    assert requests[0].customer == "ªtefan Bãlan"  # what she then sees, and corrects
    with pytest.raises(CsvError) as caught:
        invitation_csv.read_csv(data, encoding="utf-8")
    assert "cannot be read as UTF-8 (byte " in str(caught.value)


def test_an_excel_workbook_is_refused_with_what_to_do(tmp_path):
    workbook = xlsxwriter.Workbook(tmp_path / "clients.xlsx")
    workbook.add_worksheet().write_row(0, 0, ["client", "e-mail", "langue"])
    workbook.close()
    with pytest.raises(CsvError) as caught:
        invitation_csv.read_csv((tmp_path / "clients.xlsx").read_bytes())
    assert "Excel workbook" in str(caught.value) and "CSV UTF-8" in str(caught.value)


def test_unknown_columns_are_left_and_a_file_without_a_customer_column_is_refused():
    data = b"Nom;Client;Ville;E-mail\r\nAna;C-1;Cluj;ana@example.ro\r\n"
    ((request,), _) = invitation_csv.read_csv(data)
    assert (request.customer, request.email) == ("C-1", "ana@example.ro")
    with pytest.raises(CsvError) as caught:
        invitation_csv.read_csv(b"Nom;Ville\r\nAna;Cluj\r\n")
    assert "(found: Nom, Ville)" in str(caught.value)


def test_a_romanian_excel_file_is_invited_from_the_browser_and_says_how_it_was_read(manager, db):
    page = upload_customers(manager, written(ROMANIAN, "cp1250", ";"))
    assert page.status_code == 200
    said = text(page)
    assert "3 liens personnels créés" in said
    assert "Le fichier a été lu comme Windows-1250 (Europe centrale : roumain)." in said
    customers = sql(db, "SELECT customer_ref, locale FROM invitations ORDER BY id").fetchall()
    assert customers == [("Ştefan Bălan", "ro"), ("Ţurcanu Ioana", "ro"), ("C-3", "fr")]


def test_the_manager_corrects_the_encoding_when_the_one_found_is_wrong(manager, db):
    data = "client;e-mail\r\nÉlodie Mercier;\r\n".encode("cp1252")
    page = upload_customers(manager, data, encoding="cp1250")  # her choice, and wrong
    assert "Le fichier a été lu comme Windows-1250" in text(page)
    refused = upload_customers(manager, data, encoding="utf-8")
    assert refused.status_code == 422
    assert "ne peut pas être lu comme UTF-8" in text(refused)


def test_the_template_names_its_columns_in_the_managers_language(manager):
    template = manager.get("/admin/j/cafe/m/meal/invite/template.csv")
    assert template.headers["Content-Disposition"].endswith('customers-cafe-meal.csv"')
    assert template.data == "\ufeffclient;e-mail;langue\r\n".encode()
    filled = template.data + "C-9;ana@example.fr;français\r\n".encode()
    assert "1 lien personnel créé" in text(upload_customers(manager, filled))
