"""Themes of comments: defined in the browser, every comment (old and new) tagged by
stem, each theme's share of pain and glory comments with its interval, a filter."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from surveyapp import storage
from tests.helpers import (
    answers_living,
    confirm_on,
    csrf_token,
    export_responses,
    record_scored,
)
from tests.test_comment_terms import text


def add_theme(client, path="/admin/j/cafe/themes", **fields):
    token = csrf_token(client.get(path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **fields})


def share_row(page: str, name: str) -> str:
    table = re.search(r'<table class="themes">(.*?)</table>', page, re.S).group(1)
    return re.search(rf">{name}</a></th>(.*?)</tr>", table, re.S).group(1)


def test_a_theme_tags_old_comments_with_inflections_and_shows_its_shares(manager, said, db):
    added = add_theme(manager, name_fr="Attente", words_fr="attendre, retards")
    assert added.status_code == 303
    page = text(manager.get("/admin/j/cafe/m/meal/comments?lang=fr"))
    pain, glory = re.findall(r"<td>(.*?)</td>", share_row(page, "Attente"))
    # "Attendre si longtemps" on half the 40 negative comments; no positive one.
    assert pain.startswith("50,0 %") and "20 commentaires" in pain
    assert glory.startswith("0,0 %")
    # The interval is given.
    assert re.search(r'class="ci">[\d,]+ % – [\d,]+ %', pain)
    # Edited, it tags again: "attente" now counts too (all 40 negative comments).
    (theme,) = storage.themes.list_themes(db, "cafe")
    path = f"/admin/j/cafe/themes/{theme.id}"
    assert (
        add_theme(manager, path, name_fr="Attente", words_fr="attente, attendre").status_code == 303
    )
    page = text(manager.get("/admin/j/cafe/m/meal/comments?lang=fr"))
    assert share_row(page, "Attente").split("</td>")[0].endswith("40 commentaires")


def test_the_list_filters_by_theme(manager, said, db):
    add_theme(manager, name_fr="Accueil", words_fr="accueil")
    (theme,) = storage.themes.list_themes(db, "cafe")
    page = text(manager.get(f"/admin/j/cafe/m/meal/comments?lang=fr&theme={theme.id}"))
    listed = re.findall(r"<blockquote>(.*?)</blockquote>", page)
    assert listed and all("ccueil" in c for c in listed)
    assert "Commentaires sur « Accueil »" in page.replace("\u202f", " ")


def test_a_word_of_only_common_words_is_refused_and_nothing_is_stored(manager, said, db):
    refused = add_theme(manager, name_fr="Rien", words_fr="attente, le la")
    assert refused.status_code == 422
    assert "ne contient que des mots courants" in text(refused)
    assert add_theme(manager, name_fr="", words_fr="").status_code == 422
    assert storage.themes.list_themes(db, "cafe") == []


def test_viewers_read_the_shares_but_cannot_change_themes(manager, viewer, said, db):
    add_theme(manager, name_fr="Accueil", words_fr="accueil")
    assert viewer.get("/admin/j/cafe/themes").status_code == 403
    assert viewer.post(
        "/admin/j/cafe/themes", data={"name_fr": "x", "words_fr": "y"}
    ).status_code in (400, 403)
    page = text(viewer.get("/admin/j/cafe/m/meal/comments?lang=fr"))
    assert "Accueil" in page and "/admin/j/cafe/themes" not in page


def test_a_post_without_its_csrf_token_changes_nothing(manager, said, db):
    refused = manager.post("/admin/j/cafe/themes", data={"name_fr": "A", "words_fr": "attente"})
    assert refused.status_code in (400, 422)
    assert storage.themes.list_themes(db, "cafe") == []


def test_removing_a_theme_asks_first_and_is_in_the_audit_log(manager, said, db):
    add_theme(manager, name_fr="Accueil", words_fr="accueil")
    (theme,) = storage.themes.list_themes(db, "cafe")
    page = manager.get(f"/admin/j/cafe/themes/{theme.id}").get_data(as_text=True)
    asked = manager.post(
        f"/admin/j/cafe/themes/{theme.id}/delete", data={"csrf_token": csrf_token(page)}
    )
    assert "Supprimer le thème « Accueil »" in text(asked).replace("\u202f", " ")
    assert storage.themes.list_themes(db, "cafe") != []
    assert confirm_on(manager, asked).status_code == 303
    assert storage.themes.list_themes(db, "cafe") == []
    actions = [e["action"] for e in storage.audit.audit_page(db, limit=50, offset=0)[0]]
    assert "theme.added" in actions and "theme.removed" in actions


def test_the_strongest_terms_no_theme_covers_are_offered_as_themes(manager, said):
    page = manager.get("/admin/j/cafe/m/meal/comments?lang=fr").get_data(as_text=True)
    link = re.search(r'href="(/admin/j/cafe/themes\?term=attente[^"]*)"', page).group(1)
    form = manager.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert 'value="Attente"' in form and re.search(r">\s*attente</textarea>", form)


def test_exports_name_the_themes_each_comment_is_about(manager, said):
    add_theme(manager, name_fr="Attente", words_fr="attente")
    add_theme(manager, name_fr="Accueil", words_fr="accueil")
    raw = export_responses(manager, "cafe", "excel_csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(raw.lstrip("\ufeff")), delimiter=";"))
    themes = {r["Thèmes"] for r in rows if r["Langue"] == "Français"}
    assert themes == {"Attente", "Accueil", ""}  # "Attendre si longtemps": no theme
    waiting = [r for r in rows if r["Thèmes"] == "Attente"]
    assert len(waiting) == 20 and all(r["Vécu comme"] == "Douleur" for r in waiting)
    coded = export_responses(manager, "cafe", "csv").get_data(as_text=True)
    (header, *lines) = list(csv.reader(io.StringIO(coded.lstrip("\ufeff"))))
    assert header[-1] == "themes"
    assert sum(1 for line in lines if line[-1] == "Accueil") == 40


def test_a_themes_share_is_given_week_by_week(manager, db, loaded):
    cafe = loaded["cafe"]
    pain = answers_living(cafe, "meal", "negative")
    monday = storage.utcnow().replace(hour=12) - timedelta(days=storage.utcnow().weekday())
    # Two weeks ago: 1 of 4 about waiting; this week: 3 of 4.
    for weeks_ago, about in ((2, 1), (0, 3)):
        when = monday - timedelta(weeks=weeks_ago)
        for i in range(4):
            said = "Longue attente" if i < about else "Plat froid"
            record_scored(db, cafe, "meal", pain, comment=said, when=when)
    add_theme(manager, name_fr="Attente", words_fr="attente")
    page = text(manager.get("/admin/j/cafe/m/meal/comments?lang=fr"))
    table = re.search(r'<table class="themes-trend">(.*?)</table>', page).group(1)
    cells = re.findall(r"<td>(.*?)</td>", table)
    assert len(cells) == 8  # the last 8 weeks, oldest first
    assert cells[5].startswith("25,0 %") and "1 sur 4" in cells[5]
    assert cells[6] == "—"
    assert cells[7].startswith("75,0 %") and "3 sur 4" in cells[7]


def test_the_api_and_the_cli_give_each_themes_shares(manager, api, run_cli, said):
    add_theme(manager, name_fr="Attente", words_fr="attente")
    body = api("get", "/journeys/cafe/moments/meal/terms?locale=fr").get_json()
    (theme,) = body["themes"]
    assert theme["names"] == {"fr": "Attente"} and theme["words"] == {"fr": ["attente"]}
    assert theme["pain"]["share"] == 50.0 and theme["pain"]["low"] < 50 < theme["pain"]["high"]
    assert theme["glory"]["share"] == 0.0 and theme["pain_comments"] == 20
    out = run_cli("terms", "cafe", "meal").output
    assert "theme Attente: 50% [" in out and "0% [0, " in out


def test_the_inbox_filters_moments_of_pain_by_theme(manager, said, db):
    add_theme(manager, name_fr="Attente", words_fr="attente")
    (theme,) = storage.themes.list_themes(db, "cafe")
    page = text(manager.get(f"/admin/j/cafe/followups?theme={theme.id}&lang=fr"))
    items = set(re.findall(r'href="/admin/j/cafe/followups/(\d+)"', page))
    assert len(items) == 20  # "Une attente trop longue", not "Attendre si longtemps"
    assert "Thème" in page and "Attente" in page  # said among the filters in use
    everything = text(manager.get("/admin/j/cafe/followups?theme=999999&lang=fr"))
    assert len(set(re.findall(r'href="/admin/j/cafe/followups/(\d+)"', everything))) == 43
