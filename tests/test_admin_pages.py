"""The admin area through the test client: access, roles, CSRF, dashboard, exports."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from surveyapp import storage
from surveyapp.services import accounts
from tests.helpers import admin_log_in, csrf_token, export_responses, form_fields

PASSWORD = "correct horse battery"


@pytest.fixture
def users(db):
    accounts.create(db, "maria", PASSWORD, "admin")
    accounts.create(db, "victor", PASSWORD, "viewer")


def log_in(client, username="maria", password=PASSWORD, lang="fr"):
    return admin_log_in(client, username, password, lang)


@pytest.fixture
def manager(app, users):
    client = app.test_client()
    assert log_in(client).status_code == 303
    return client


@pytest.fixture
def viewer(app, users):
    client = app.test_client()
    assert log_in(client, "victor").status_code == 303
    return client


def text(response):
    return re.sub(r"[ \t\r\n]+", " ", response.get_data(as_text=True))


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/j/cafe",
        "/admin/j/cafe/m/meal/comments",
        "/admin/j/cafe/followups",
        "/admin/j/cafe/preview/meal",
        "/admin/j/cafe/export/responses.csv",
        "/admin/j/cafe/export/scores.json",
    ],
)
def test_every_admin_page_refuses_a_visitor_who_is_not_logged_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login?next=")


def test_the_old_scores_page_moved_behind_the_login(client):
    assert client.get("/scores/cafe").headers["Location"] == "/admin/j/cafe"


def test_a_wrong_password_is_refused_and_logged(app, client, users, caplog):
    response = log_in(client, password="nope nope nope")
    assert response.status_code == 422
    assert "Nom d’utilisateur ou mot de passe incorrect." in text(response)
    assert "admin login failed: 'maria'" in caplog.text
    assert client.get("/admin/").status_code == 302


def test_repeated_failures_are_slowed_down(app, client, users):
    for _ in range(accounts.FREE_FAILURES):
        log_in(client, password="wrong password")
    response = log_in(client)  # even the right password must wait now
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Trop d’échecs. Réessayez dans" in text(response)


def test_login_without_csrf_token_is_refused(client, users):
    response = client.post("/admin/login", data={"username": "maria", "password": PASSWORD})
    assert response.status_code == 422
    assert client.get("/admin/").status_code == 302


def test_login_goes_back_to_the_page_asked_for_and_only_inside_admin(app, users):
    client = app.test_client()
    page = client.get("/admin/login?next=/admin/j/cafe").get_data(as_text=True)
    response = client.post(
        "/admin/login?next=/admin/j/cafe",
        data={"username": "maria", "password": PASSWORD, "csrf_token": csrf_token(page)},
    )
    assert response.headers["Location"] == "/admin/j/cafe"
    other = app.test_client()
    page = other.get("/admin/login").get_data(as_text=True)
    evil = other.post(
        "/admin/login?next=//evil.example/",
        data={"username": "maria", "password": PASSWORD, "csrf_token": csrf_token(page)},
    )
    assert evil.headers["Location"] == "/admin/"


def test_the_session_cookie_is_httponly_and_samesite(app, users):
    client = app.test_client()
    cookie = log_in(client).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_the_session_cookie_is_secure_when_the_service_is_on_https(instance, loaded, users):
    from surveyapp import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "k", "BASE_URL": "https://cx.example.org"})
    client, https = app.test_client(), "https://cx.example.org"
    page = client.get("/admin/login", base_url=https).get_data(as_text=True)
    response = client.post(
        "/admin/login",
        data={"username": "maria", "password": PASSWORD, "csrf_token": csrf_token(page)},
        base_url=https,
    )
    assert response.status_code == 303 and "Secure" in response.headers["Set-Cookie"]


def test_deleting_an_account_ends_its_session(manager, db):
    assert manager.get("/admin/").status_code == 200
    storage.accounts.delete_user(db, "maria")
    response = manager.get("/admin/")
    assert response.status_code == 302
    assert "Votre session a expiré" in text(manager.get(response.headers["Location"]))


def test_logout_needs_its_csrf_token(manager):
    page = manager.get("/admin/").get_data(as_text=True)
    assert manager.post("/admin/logout").status_code == 400
    token = re.search(
        r'id="logout-csrf" name="csrf_token" type="hidden" value="([^"]+)"', page
    ).group(1)
    assert manager.post("/admin/logout", data={"csrf_token": token}).status_code == 303
    assert manager.get("/admin/").status_code == 302


def upload(client, content: bytes, filename="journey.yaml", token=True):
    page = client.get("/admin/").get_data(as_text=True)
    data = {"definition": (io.BytesIO(content), filename)}
    if token:
        data["csrf_token"] = csrf_token(page)
    return client.post("/admin/", data=data, content_type="multipart/form-data")


BAD = (
    b"id: cafe\nbrand: X\ndefault_locale: fr\nlocales: [fr]\nmoments:\n"
    b"  - {id: a, kind: zmott, name: A}\n  - {id: a, kind: fmot, name: B}\n"
)


def test_an_invalid_upload_lists_problems_by_path_in_the_managers_language(manager, db):
    before = storage.journeys.get_journey(db, "cafe")
    response = upload(manager, BAD)
    assert response.status_code == 422
    page = text(response)
    assert "<code>moments[0].kind\u202f: &#39;zmott&#39; n’est pas un type de moment" in page
    assert "<code>moments[1].id\u202f: &#39;a&#39; est utilisé deux fois</code>" in page
    assert storage.journeys.get_journey(db, "cafe") == before


def test_a_broken_file_is_explained_in_romanian_to_a_romanian_manager(app, users, db):
    client = app.test_client()
    log_in(client, lang="ro")
    response = upload(client, b"id: cafe\nbrand: [unclosed\n")
    assert response.status_code == 422
    assert "<code>linia 3, coloana 1: format YAML nevalid:" in text(response)
    big = upload(client, b"#" * 270_000)
    assert "dimensiunea fișierului în octeți: 270.000" in text(big)


def test_an_upload_replaces_the_journey(manager, db, journeys_dir):
    content = (journeys_dir / "cafe.yaml").read_text().replace("Café des Arts", "Café Nou")
    response = upload(manager, content.encode())
    assert response.status_code == 200
    assert "Parcours cafe mis à jour" in text(response)
    assert storage.journeys.get_journey(db, "cafe").brand == "Café Nou"


def test_an_upload_without_csrf_token_changes_nothing(manager, db, journeys_dir):
    content = (journeys_dir / "cafe.yaml").read_text().replace("Café des Arts", "Café Nou")
    assert upload(manager, content.encode(), token=False).status_code == 422
    assert storage.journeys.get_journey(db, "cafe").brand == "Café des Arts"


def test_a_viewer_reads_but_cannot_change(viewer, db, journeys_dir):
    assert viewer.get("/admin/j/cafe").status_code == 200
    page = viewer.get("/admin/").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' not in page
    content = (journeys_dir / "cafe.yaml").read_bytes().replace(b"Caf", b"Kaf")
    response = viewer.post(
        "/admin/",
        data={"definition": (io.BytesIO(content), "c.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert storage.journeys.get_journey(db, "cafe").brand == "Café des Arts"
    assert (
        viewer.post(
            "/admin/j/cafe/followups/bulk", data={"item": "1", "action": "resolved"}
        ).status_code
        == 403
    )


def test_the_preview_shows_the_survey_as_customers_see_it_and_records_nothing(manager, app):
    page = text(manager.get("/admin/j/cafe/preview/meal?lang=ro"))
    assert '<html lang="ro">' in page and "Masa dumneavoastră: cum a fost?" in page
    assert '<button type="submit" disabled>' in page
    with storage.connect(app.config["DATABASE"]) as db:
        assert storage.responses.count_responses(db) == 0


@pytest.fixture
def answered(app, answer):
    """Three café customers: two glad of their meal, one in pain with a comment."""
    answer("/j/cafe/meal?lang=ro", {"experience": "positive", "satisfaction": "5"})
    answer("/j/cafe/meal?lang=fr", {"experience": "positive", "satisfaction": "4"})
    answer(
        "/j/cafe/meal?lang=fr",
        {
            "experience": "negative",
            "satisfaction": "1",
            "why": "<script>alert(1)</script>=cmd|' /C calc'!A0",
        },
    )


def test_the_dashboard_shows_each_moments_glory_and_pain(manager, answered):
    page = text(manager.get("/admin/j/cafe?lang=fr"))
    row = re.search(r'<span class="moment-name">Votre repas</span>(.*?)</tr>', page).group(1)
    cells = re.findall(r"<td>(.*?)</td>", row)
    assert cells[1] == "3"
    assert cells[2].startswith("66,7\u00a0%")  # CLDR's French percent pattern
    assert cells[4].startswith("33,3\u00a0%")
    assert cells[5] == "33,3"
    assert cells[7] == "3,33"
    assert "Moins de 30 réponses" in row
    assert '<svg class="bar"' in row


def test_nonsense_filters_get_a_message_not_an_error(manager, answered):
    response = manager.get("/admin/j/cafe?since=31/12/2026&until=2026-13-45&channel=fax&lang=ro")
    assert response.status_code == 200
    assert "Filtrul „31/12/2026” nu este o dată" in text(response)


def test_what_customers_said_is_escaped_and_filterable(manager, answered):
    page = manager.get("/admin/j/cafe/m/meal/comments?polarity=negative&q=alert").get_data(
        as_text=True
    )
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "alert" not in manager.get("/admin/j/cafe/m/meal/comments?polarity=positive").get_data(
        as_text=True
    )


def test_a_painful_answer_is_followed_up_and_resolved(manager, answered, db):
    page = manager.get("/admin/j/cafe/followups?status=open").get_data(as_text=True)
    (item,) = re.findall(r'href="(/admin/j/cafe/followups/\d+)"', page)
    fields = form_fields(manager.get(item).get_data(as_text=True), "item")
    done = manager.post(
        item, data={**fields, "status": "resolved", "note": "Rappelée, offert un café"}
    )
    assert done.status_code == 303
    assert storage.followups.open_followups(db, "cafe") == {}
    resolved = manager.get(item).get_data(as_text=True)
    assert "Rappelée, offert un café" in resolved


def test_a_forged_followup_update_changes_nothing(manager, answered, db):
    page = manager.get("/admin/j/cafe/followups").get_data(as_text=True)
    (item,) = re.findall(r'href="(/admin/j/cafe/followups/\d+)"', page)
    fields = form_fields(manager.get(item).get_data(as_text=True), "item")
    response = manager.post(item, data={**fields, "status": "resolved", "csrf_token": "forged"})
    assert response.status_code == 422
    assert storage.followups.open_followups(db, "cafe") == {"meal": 1}


def test_the_responses_csv_opens_in_excel_and_runs_no_formula(manager, answered, answer):
    response = export_responses(manager, "cafe", "excel_csv")
    raw = response.get_data(as_text=True)
    assert (
        response.headers["Content-Disposition"] == 'attachment; filename="cafe-responses-excel.csv"'
    )
    # For a French Excel: French headers and words (the comma CSV keeps codes).
    assert raw.startswith("\ufeffRéponse;Date et heure (UTC);Parcours;Moment;Langue;")
    rows = list(csv.DictReader(io.StringIO(raw[1:]), delimiter=";"))
    assert len(rows) == 3
    pain = next(r for r in rows if r["Vécu comme"] == "Douleur")
    assert any(cell.startswith("<script>") for cell in pain.values())
    assert {r["Langue"] for r in rows} == {"Français", "Română"}
    answer("/j/cafe/meal?lang=fr", {"experience": "negative", "why": "=cmd|' /C calc'!A0"})
    for fmt, separator in (("csv", ","), ("excel_csv", ";")):
        raw = export_responses(manager, "cafe", fmt).get_data(as_text=True)
        cells = [
            cell for row in csv.reader(io.StringIO(raw[1:]), delimiter=separator) for cell in row
        ]
        assert "'=cmd|' /C calc'!A0" in cells  # kept, but as text
        assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]


def test_exports_follow_the_dashboard_filters(manager, answered):
    data = json.loads(manager.get("/admin/j/cafe/export/scores.json?locale=ro").get_data())
    meal = next(m for m in data["moments"] if m["id"] == "meal")
    assert (meal["responses"], meal["positive"]) == (1, 1)
    responses = json.loads(export_responses(manager, "cafe", "json").get_data())
    assert len(responses["responses"]) == 3
    romanian = json.loads(export_responses(manager, "cafe", "json", "?locale=ro").get_data())
    assert [r["locale"] for r in romanian["responses"]] == ["ro"]


def test_the_admin_language_is_remembered(app, users, db):
    client = app.test_client()
    log_in(client, lang="ro")
    client.get("/admin/?lang=ro")
    page = client.get("/admin/").get_data(as_text=True)
    token = re.search(r'id="logout-csrf" name="csrf_token" type="hidden" value="([^"]+)"', page)
    client.post("/admin/logout", data={"csrf_token": token.group(1)})  # kept at a POST
    assert storage.accounts.get_user(db, username="maria")["locale"] == "ro"
    again = app.test_client()
    log_in(again, lang="en")
    assert '<html lang="ro">' in again.get("/admin/").get_data(as_text=True)


def test_a_followup_shows_the_questions_and_answers_in_the_managers_language(manager, answered):
    inbox = manager.get("/admin/j/cafe/followups").get_data(as_text=True)
    (item,) = re.findall(r'href="(/admin/j/cafe/followups/\d+)"', inbox)
    page = text(manager.get(f"{item}?lang=ro"))
    assert "<dt>Masa dumneavoastră: cum a fost?</dt><dd>Rău</dd>" in page.replace("> <", "><")
    assert "<dd>Foarte nemulțumit</dd>" in page.replace("> <", "><")
    assert "Link public" in page and "<dt>experience</dt>" not in page
    dashboard = text(manager.get("/admin/j/cafe?lang=fr"))
    assert '<option value="qr">Code QR</option>' in dashboard
