"""The customer's survey pages, through Flask's test client on a real database."""

from __future__ import annotations

import re

import pytest

from surveyapp import storage
from tests.helpers import csrf_token, sql


def stored(app):
    with storage.connect(app.config["DATABASE"]) as db:
        return sql(
            db, "SELECT moment_id, locale, polarity, answers, channel FROM responses ORDER BY id"
        ).fetchall()


def text_of(response):
    return re.sub(r"[ \t\r\n]+", " ", response.get_data(as_text=True))


def test_the_survey_page_asks_the_moment_questions_in_romanian(client):
    page = text_of(client.get("/j/cafe/meal?lang=ro"))
    assert '<html lang="ro">' in page
    assert "<h1>Masa dumneavoastră</h1>" in page
    assert "Masa dumneavoastră: cum a fost?" in page
    assert 'name="experience"' in page and 'value="negative"' in page
    assert 'name="satisfaction"' in page and 'value="5"' in page
    assert '<textarea id="why"' in page


@pytest.mark.parametrize(
    ("query", "accept", "expected"),
    [
        ("?lang=ro", "fr", "ro"),
        ("", "ro-RO,ro;q=0.9,en;q=0.5", "ro"),
        ("", "en-GB,en;q=0.8", "fr"),  # café is offered in fr and ro only: its default
        ("?lang=de", "de", "fr"),
        ("?lang=en", "", "fr"),
    ],
)
def test_locale_comes_from_lang_then_browser_then_journey_default(client, query, accept, expected):
    page = client.get(f"/j/cafe/welcome{query}", headers={"Accept-Language": accept})
    assert f'<html lang="{expected}">' in page.get_data(as_text=True)


def test_the_language_switcher_offers_each_language_of_the_journey(client):
    # On a survey page the switcher's buttons submit the form (test_language_switch.py)...
    page = text_of(client.get("/j/saas-onboarding/billing?lang=fr"))
    assert 'form="survey" name="switch_language" value="ro" formnovalidate lang="ro">Română' in page
    assert 'value="en" formnovalidate lang="en">English</button>' in page
    assert 'lang="fr" aria-current="true">Français</button>' in page
    # ...elsewhere they are links.
    home = text_of(client.get("/?lang=fr"))
    assert 'href="/?lang=ro" lang="ro" hreflang="ro">Română</a>' in home


def test_a_valid_answer_is_stored_and_thanked_in_the_same_language(client, answer, app):
    response = answer(
        "/j/cafe/meal?lang=ro",
        {"experience": "negative", "satisfaction": "2", "why": "  Supa era rece.  "},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/j/cafe/meal/thanks?lang=ro"
    thanks = text_of(client.get(response.headers["Location"]))
    assert "Vă mulțumim!" in thanks and "„Masa dumneavoastră”" in thanks
    assert stored(app) == [
        (
            "meal",
            "ro",
            "negative",
            '{"experience": "negative", "satisfaction": 2, "why": "Supa era rece."}',
            "link",
        )
    ]


def test_an_optional_question_sent_empty_counts_as_skipped(answer, app):
    response = answer("/j/cafe/meal?lang=fr", {"experience": "positive", "satisfaction": ""})
    assert response.status_code == 303
    assert stored(app)[0][2:4] == ("positive", '{"experience": "positive"}')


def test_a_qr_code_link_records_its_channel(answer, app):
    answer("/j/cafe/bill?src=qr", {"experience": "positive"})
    assert stored(app)[0][4] == "qr"


def test_a_missing_deciding_answer_shows_a_localized_error_and_keeps_the_answers(answer, app):
    response = answer("/j/cafe/meal?lang=fr", {"satisfaction": "4", "why": "<script>x</script>"})
    page = text_of(response)
    assert response.status_code == 422
    assert "Certaines réponses demandent votre attention" in page
    assert '<p class="error" id="experience-error">Ce champ est requis.</p>' in page
    assert '<input checked id="satisfaction-3" name="satisfaction" type="radio" value="4">' in page
    assert "&lt;script&gt;x&lt;/script&gt;</textarea>" in page
    assert stored(app) == []


@pytest.mark.parametrize(
    "answers",
    [
        {"experience": "glorious"},
        {"experience": "positive", "satisfaction": "6"},
        {"experience": "positive", "satisfaction": "abc"},
        {"experience": "positive", "why": "x" * 2001},
        {"experience": "positive", "admin": "1"},
        {"experience": ["positive", "negative"]},
    ],
    ids=[
        "unknown-polarity",
        "out-of-range",
        "not-a-number",
        "too-long-text",
        "extra-field",
        "field-twice",
    ],
)
def test_an_invalid_post_stores_nothing(answer, app, answers):
    response = answer("/j/cafe/meal?lang=ro", answers)
    assert response.status_code == 422
    assert 'role="alert"' in response.get_data(as_text=True)
    assert stored(app) == []


def test_a_post_without_csrf_token_stores_nothing(answer, app):
    response = answer("/j/cafe/meal?lang=ro", {"experience": "positive"}, with_token=False)
    assert response.status_code == 422
    assert "Nu s-a salvat încă nimic" in response.get_data(as_text=True)
    assert stored(app) == []


def test_a_token_from_another_session_is_refused(app, client, answer):
    other = app.test_client()
    token = csrf_token(other.get("/j/cafe/meal").get_data(as_text=True))
    client.get("/j/cafe/meal")
    response = client.post("/j/cafe/meal", data={"experience": "positive", "csrf_token": token})
    assert response.status_code == 422
    assert stored(app) == []


def test_a_body_over_64_kb_is_refused_with_413(client, app):
    response = client.post("/j/cafe/meal?lang=ro", data={"why": "x" * 70_000})
    assert response.status_code == 413
    assert "Răspunsul dumneavoastră este prea lung" in response.get_data(as_text=True)
    assert stored(app) == []


@pytest.mark.parametrize(
    "path", ["/j/cafe/dessert", "/j/nope/meal", "/nowhere", "/j/cafe/meal/thanks/x"]
)
def test_unknown_survey_gets_a_localized_404(client, path):
    response = client.get(path, headers={"Accept-Language": "ro"})
    assert response.status_code == 404
    assert "Nu există niciun chestionar la această adresă" in response.get_data(as_text=True)


def test_malformed_requests_never_get_a_500(client, app):
    weird = [
        client.post(
            "/j/cafe/meal",
            data=b"\xff\xfe\x00garbage",
            content_type="application/x-www-form-urlencoded",
        ),
        client.post("/j/cafe/meal", data="--x\r\nbroken", content_type="multipart/form-data"),
        client.get("/j/cafe/meal?lang=%ff%fe"),
        client.put("/j/cafe/meal"),
        client.get("/j/cafe/meal", headers={"Accept-Language": "';DROP TABLE--"}),
    ]
    assert all(r.status_code < 500 for r in weird), [r.status_code for r in weird]
    assert weird[3].status_code == 405
    assert stored(app) == []


def test_pages_carry_security_headers(client):
    response = client.get("/j/cafe/meal")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "HttpOnly" in response.headers["Set-Cookie"]


def test_the_brand_and_moment_names_are_escaped(app, client, db):
    from surveyapp.domain.definitions import parse_definition

    storage.journeys.store_journeys(
        db,
        [
            parse_definition(
                'id: x\nbrand: "<script>alert(1)</script>"\ndefault_locale: en\nlocales: [en]\n'
                'moments: [{id: m, kind: touchpoint, name: "<img src=x onerror=alert(1)>"}]\n'
            )
        ],
    )
    page = client.get("/j/x/m").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;: how did it go?" in page


def test_a_retired_moment_no_longer_takes_answers(app, client, db):
    from surveyapp.domain.definitions import parse_definition

    storage.journeys.store_journeys(
        db,
        [
            parse_definition(
                "id: cafe\nbrand: Café des Arts\ndefault_locale: fr\nlocales: [fr, ro]\n"
                "moments: [{id: meal, kind: smot, name: Repas}]\n"
            )
        ],
    )
    assert client.get("/j/cafe/bill").status_code == 404


def test_each_visitor_of_a_cached_page_gets_their_own_valid_token(app, answer):
    first, second = app.test_client(), app.test_client()
    tokens = [
        csrf_token(b.get("/j/cafe/meal?lang=ro").get_data(as_text=True)) for b in (first, second)
    ]
    assert tokens[0] != tokens[1] and "csrf-slot" not in "".join(tokens)
    refused = second.post(
        "/j/cafe/meal?lang=ro", data={"experience": "positive", "csrf_token": tokens[0]}
    )
    assert refused.status_code == 422
    accepted = second.post(
        "/j/cafe/meal?lang=ro", data={"experience": "positive", "csrf_token": tokens[1]}
    )
    assert accepted.status_code == 303


def test_a_reloaded_journey_shows_at_once(app, client, db):
    from surveyapp.domain.definitions import parse_definition

    assert "Masa dumneavoastră" in client.get("/j/cafe/meal?lang=ro").get_data(as_text=True)
    storage.journeys.store_journeys(
        db,
        [
            parse_definition(
                "id: cafe\nbrand: Café Nou\ndefault_locale: ro\nlocales: [ro]\n"
                "moments: [{id: meal, kind: smot, name: Prânzul}]\n"
            )
        ],
    )
    page = client.get("/j/cafe/meal?lang=ro").get_data(as_text=True)
    assert "Prânzul" in page and "Café Nou" in page and "Masa dumneavoastră" not in page
