"""The read-only scores page and the home page."""

from __future__ import annotations

import re

import pytest

from surveyapp import create_app


def test_scores_page_is_off_without_demo_or_password(client):
    assert client.get("/scores/cafe").status_code == 404


@pytest.fixture
def guarded(instance, loaded):
    return create_app({"TESTING": True, "SECRET_KEY": "k", "SCORES_PASSWORD": "s3cret"})


def test_scores_page_asks_for_the_configured_password(guarded):
    client = guarded.test_client()
    refused = client.get("/scores/cafe")
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith("Basic")
    wrong = client.get("/scores/cafe", auth=("x", "nope"))
    assert wrong.status_code == 401
    assert client.get("/scores/cafe", auth=("manager", "s3cret")).status_code == 200


@pytest.fixture
def demo(instance, loaded):
    return create_app({"TESTING": True, "DEMO": True})


def test_scores_page_shows_counts_formatted_for_the_reader(demo):
    for _ in range(3):
        client = demo.test_client()  # three customers, three browsers
        page = client.get("/j/cafe/meal").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post(
            "/j/cafe/meal",
            data={"experience": "positive", "satisfaction": "4", "csrf_token": token},
        )
    page = re.sub(r"[ \t\r\n]+", " ", client.get("/scores/cafe?lang=fr").get_data(as_text=True))
    assert "<h1>Résultats par moment</h1>" in page
    row = re.search(r'<th scope="row">Votre repas</th>(.*?)</tr>', page).group(1)
    cells = re.findall(r"<td>(.*?)</td>", row)
    assert cells[:7] == ["SMOT\u202f: utilisation", "3", "3", "0", "0", "100,0", ""]
    assert cells[7] == "4,00"


def test_scores_page_says_when_a_date_filter_is_not_a_date(demo):
    page = demo.test_client().get("/scores/cafe?since=31/12/2026&lang=ro").get_data(as_text=True)
    assert "Datele se scriu AAAA-LL-ZZ" in page


def test_demo_home_lists_public_links(demo):
    page = demo.test_client().get("/?lang=ro").get_data(as_text=True)
    assert 'href="/j/cafe/meal?lang=ro"' in page
    assert 'href="/scores/cafe"' in page
