"""Searching what customers said: the full-text index finds a word in its other forms,
with or without its diacritics and capitals, on both engines alike; it follows every
comment stored, changed or erased; and the comments page and the inbox search with it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from surveyapp import storage
from surveyapp.domain.themes import Theme
from surveyapp.storage import comment_search
from tests.helpers import answers_living, record_scored, sql
from tests.test_comment_terms import text

SAID = {
    "ro": ["Întârzierea la ghișeu a fost mare", "Personal foarte amabil"],
    "fr": ["Le service était lent, quel retard !", "Retardé encore", "Un accueil très chaleureux"],
}


def said(db, journey, comment: str, locale: str, *, customer=None, polarity="negative") -> int:
    answers = {**answers_living(journey, "meal", polarity), "why": comment}
    return record_scored(db, journey, "meal", answers, locale=locale, customer=customer)


@pytest.fixture
def stored(db, loaded):
    """The café's comments above, on its meal moment: their ids by comment."""
    return {c: said(db, loaded["cafe"], c, locale) for locale, cs in SAID.items() for c in cs}


def found(db, search: str, **filters) -> set[str]:
    return {
        row["comment"]
        for row in storage.comments.comments(db, "cafe", "meal", search=search, **filters)
    }


def test_a_word_is_found_in_its_other_forms_without_diacritics_or_capitals(db, stored):
    assert found(db, "intarziere") == {"Întârzierea la ghișeu a fost mare"}
    assert found(db, "ÎNTÂRZIERILE") == {"Întârzierea la ghișeu a fost mare"}
    assert found(db, "retards") == {"Le service était lent, quel retard !", "Retardé encore"}
    assert found(db, "ghiseu") == found(db, "ghişeu") == {"Întârzierea la ghișeu a fost mare"}


def test_every_word_searched_must_be_there(db, stored):
    assert found(db, "lent retard") == {"Le service était lent, quel retard !"}
    assert found(db, "lent accueil") == set()
    assert found(db, "zzyzx") == set()
    # punctuation alone, or the characters the index's own syntax reads, find nothing
    assert found(db, '"*( - )') == set()
    assert found(db, 'retard" OR "accueil') == set()


def test_words_are_found_among_addresses_markup_and_numbers(db, loaded):
    comment = "Écrivez-moi : ana@exemple.ro, <b>merci</b> (note 4.5/5)"
    said(db, loaded["cafe"], comment, "fr")
    for search in ("exemple", "ana", "merci", "ecrivez", "4", "note 5", "́́ merci"):
        assert found(db, search) == {comment}, search
    assert found(db, "́") == found(db, "½") == set()


def test_a_search_keeps_to_the_other_filters(db, stored):
    assert found(db, "retard", locale="ro") == set()
    assert found(db, "retard", polarity="positive") == set()
    assert found(db, "retard", locale="fr", polarity="negative") == {
        "Le service était lent, quel retard !",
        "Retardé encore",
    }


def test_the_index_follows_new_changed_and_deleted_comments(db, loaded, stored):
    said(db, loaded["cafe"], "Attente interminable", "fr")
    assert found(db, "attentes") == {"Attente interminable"}
    changed = stored["Retardé encore"]
    sql(db, "UPDATE responses SET comment = 'Parfait' WHERE id = ?", (changed,))
    assert found(db, "retard") == {"Le service était lent, quel retard !"}
    assert found(db, "parfait") == {"Parfait"}
    tomorrow = storage.utcnow().date() + timedelta(days=1)
    storage.retention.apply(db, "cafe", tomorrow, "delete", now=storage.utcnow())
    assert found(db, "attentes") == found(db, "retard") == found(db, "parfait") == set()


def test_a_common_word_is_found_the_same_whichever_way_the_index_is_read(
    db, loaded, stored, monkeypatch
):
    for i in range(6):
        said(db, loaded["cafe"], f"Retard numéro {i}", "fr")
    everything = found(db, "retard")
    assert len(everything) == 8
    monkeypatch.setattr(comment_search, "PROBED", 3)  # more than 3: read the other way
    assert found(db, "retard") == everything
    assert found(db, "retard numero") == {f"Retard numéro {i}" for i in range(6)}


def test_the_comments_page_lists_what_a_search_finds_and_keeps_its_filters(manager, db, stored):
    storage.themes.save_theme(
        db, "cafe", Theme(None, {"fr": "Attente"}, {"fr": ["retard"]}), by="t"
    )
    page = text(manager.get("/admin/j/cafe/m/meal/comments?lang=fr&q=Retards"))
    assert "Le service était lent, quel retard !" in page
    assert "Retardé encore" in page
    assert "Un accueil très chaleureux" not in page
    # the theme filter is still offered beside the search
    assert 'id="theme"' in page and "Attente</option>" in page


def test_the_inbox_finds_items_by_a_word_of_their_comment_or_their_reference(manager, db, loaded):
    said(db, loaded["cafe"], "Café arrivé froid", "fr", customer="ORD-2031")
    said(db, loaded["cafe"], "Serveur absent", "fr", customer="ORD-7")
    by_word = text(manager.get("/admin/j/cafe/followups?lang=fr&q=froide"))
    assert "1 élément" in by_word and "Café arrivé froid" in by_word
    by_reference = text(manager.get("/admin/j/cafe/followups?lang=fr&q=ORD-20"))
    assert "1 élément" in by_reference and "ORD-2031" in by_reference
