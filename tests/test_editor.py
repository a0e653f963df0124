"""The journey editor: a manager creates, edits and duplicates a journey in the browser,
with the same checks as `journey check` said beside each field in their language, and
publishes it exactly as `journey load` would."""

from __future__ import annotations

import hashlib
import io
import re

from surveyapp import storage
from surveyapp.domain.definitions import parse_definition
from surveyapp.services import accounts
from tests.helpers import (
    admin_log_in,
    answers_living,
    confirm_on,
    csrf_token,
    form_fields,
    record_scored,
)
from tests.test_branding import png

PASSWORD = "correct horse battery"
NEW = "/admin/new-journey"
EDIT = "/admin/j/cafe/edit"


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def bistro(page: str, **changes) -> dict:
    """A two-moment journey as a manager fills the editor, the bill's Romanian name empty."""
    fields = {
        "csrf_token": csrf_token(page),
        "based_on": "0",
        "slug": "bistro",
        "brand": "Le Bistrot",
        "locales": ["fr", "ro"],
        "default_locale": "fr",
        "moments-0-id": "welcome",
        "moments-0-kind": "fmot",
        "moments-0-channel": "store",
        "moments-0-name_fr": "L’accueil",
        "moments-0-name_ro": "Primirea",
        "moments-1-id": "bill",
        "moments-1-kind": "lmot",
        "moments-1-channel": "store",
        "moments-1-name_fr": "L’addition",
        "moments-1-name_ro": "",
        "action": "check",
    }
    fields.update(changes)
    return {k: v for k, v in fields.items() if v is not None}


def edited(page, **changes):
    """The editor's form as the page holds it, with ``changes``."""
    fields = form_fields(page.get_data(as_text=True), "editor")
    for name, value in changes.items():
        fields.setlist(name, value if isinstance(value, list) else [value])
    return fields


def test_a_new_journey_is_published_once_its_missing_romanian_name_is_confirmed_or_added(
    manager, db
):
    page = manager.get(NEW).get_data(as_text=True)
    checked = manager.post(NEW, data=bistro(page))
    assert checked.status_code == 200
    page_text = text(checked)
    assert "Aucun problème : ce parcours peut être publié." in page_text
    # Beside the empty field, in words, with what Romanian customers would read.
    assert "Les clients qui lisent cette langue liront « L’addition » à la place." in page_text
    assert "Română : textes écrits, 1 sur 2" in page_text

    refused = manager.post(NEW, data=bistro(page, action="publish"))
    assert refused.status_code == 422
    assert "Non publié : 1 texte manque dans une langue" in text(refused)
    assert "Moment 2, nom en roumain : Les clients qui lisent cette langue liront" in text(refused)
    assert storage.journeys.get_journey(db, "bistro") is None

    published = manager.post(
        NEW, data=bistro(page, action="publish", **{"moments-1-name_ro": "Nota"})
    )
    assert published.status_code == 303
    assert published.headers["Location"].endswith("/admin/j/bistro/edit?published=1")
    assert "La version 1 est publiée" in text(manager.get(published.headers["Location"]))
    journey = storage.journeys.get_journey(db, "bistro")
    assert [m.id for m in journey.moments] == ["welcome", "bill"]
    assert journey.moment("bill").name == {"fr": "L’addition", "ro": "Nota"}
    assert storage.journey_versions.versions(db, "bistro")[0]["author"] == "maria"


def test_an_incomplete_journey_is_published_when_the_admin_confirms(manager, db):
    page = manager.get(NEW).get_data(as_text=True)
    response = manager.post(NEW, data=bistro(page, action="publish", publish_incomplete="y"))
    assert response.status_code == 303
    assert storage.journeys.get_journey(db, "bistro").moment("bill").name == {"fr": "L’addition"}


def test_each_problem_is_said_beside_its_field_and_nothing_is_stored(manager, db):
    page = manager.get(NEW).get_data(as_text=True)
    response = manager.post(
        NEW,
        data=bistro(
            page,
            action="publish",
            slug="Le Bistrot",
            brand="",
            **{"moments-1-kind": "zmott", "moments-1-id": "welcome"},
        ),
    )
    assert response.status_code == 422
    html = text(response)
    assert "4 problèmes, donc rien n’a été publié" in html
    assert '<a href="#slug">Identifiant du parcours' in html
    assert "Moment 2, Type de moment : &#39;zmott&#39; n’est pas un type de moment" in html
    assert "Moment 2, Identifiant" in html and "&#39;welcome&#39; est utilisé deux fois" in html
    # The field itself says it is wrong, and which message is its own.
    (brand,) = re.findall(r'<input [^>]*id="brand"[^>]*>', html)
    assert 'aria-describedby="brand-error"' in brand and 'aria-invalid="true"' in brand
    assert "moments[1]" not in html  # never a path
    assert (
        storage.journeys.get_journey(db, "Le Bistrot") is None
        and storage.journeys.get_journey(db, "bistro") is None
    )


def test_an_id_already_taken_is_refused_for_a_new_journey(manager, db):
    page = manager.get(NEW).get_data(as_text=True)
    response = manager.post(NEW, data=bistro(page, action="publish", slug="cafe"))
    assert response.status_code == 422
    assert "est l’identifiant d’un autre parcours" in text(response)
    assert storage.journeys.get_journey(db, "cafe").brand == "Café des Arts"


def test_publishing_a_journey_as_the_editor_shows_it_changes_nothing(manager, db):
    """Logo, accent, review links, contact offer and every moment survive the round trip."""
    before = storage.journeys.get_journey(db, "cafe")
    response = manager.post(EDIT, data=edited(manager.get(EDIT), action="publish"))
    assert response.status_code == 303 and response.headers["Location"].endswith("unchanged=1")
    assert storage.journeys.get_journey(db, "cafe").digest == before.digest
    assert [v["number"] for v in storage.journey_versions.versions(db, "cafe")] == [1]


def test_an_edit_is_a_new_version_and_its_yaml_loads_unchanged(manager, db):
    page = manager.get(EDIT)
    response = manager.post(
        EDIT, data=edited(page, action="publish", **{"moments-2-name_ro": "Masa"})
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("published=2")
    journey = storage.journeys.get_journey(db, "cafe")
    assert journey.moment("meal").name["ro"] == "Masa"
    yaml_file = manager.get("/admin/j/cafe/definition.yaml").get_data()
    assert parse_definition(yaml_file).digest == journey.digest


def test_the_second_of_two_admins_is_refused_and_keeps_their_changes(
    manager, db, run_cli, journeys_dir
):
    page = manager.get(EDIT)  # version 1
    path = journeys_dir / "cafe.yaml"
    path.write_text(path.read_text().replace("fr: Votre repas", "fr: Le repas", 1))
    run_cli("journey", "load", str(path))  # version 2, by someone else
    response = manager.post(EDIT, data=edited(page, action="publish", brand="Café des Amis"))
    assert response.status_code == 409
    html = text(response)
    assert "la version 2 est venue après la version 1" in html
    assert 'value="Café des Amis"' in html  # what they typed is still there
    journey = storage.journeys.get_journey(db, "cafe")
    assert (journey.brand, journey.moment("meal").name["fr"]) == ("Café des Arts", "Le repas")


def test_moments_are_added_moved_and_retired_with_their_responses_kept(manager, db, loaded):
    cafe = loaded["cafe"]
    record_scored(db, cafe, "welcome", answers_living(cafe, "welcome", "negative"))
    page = manager.post(EDIT, data=edited(manager.get(EDIT), action="add"))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    (name,) = re.findall(r'<input [^>]*id="moments-5-name_fr"[^>]*>', html)
    assert " autofocus" in name  # the new moment's name, for keyboards and screen readers
    page = manager.post(
        EDIT,
        data=edited(
            page, action="up-5", **{"moments-5-id": "goodbye", "moments-5-name_fr": "Au revoir"}
        ),
    )
    fields = form_fields(page.get_data(as_text=True), "editor")
    assert fields["moments-4-id"] == "goodbye" and fields["moments-5-id"] == "review"
    page = manager.post(EDIT, data=edited(page, action="remove-0"))
    assert "La publication retirera : welcome" in text(page)
    # Publishing asks first, with what retiring means, and changes nothing until then.
    asked = manager.post(EDIT, data=edited(page, action="publish", publish_incomplete="y"))
    assert asked.status_code == 200
    assert "Publier et retirer 1 moment ?" in text(asked)
    assert "sa 1 réponse est conservée" in text(asked)
    assert [m.id for m in storage.journeys.get_journey(db, "cafe").moments][0] == "welcome"
    response = confirm_on(manager, asked)
    assert response.status_code == 303
    journey = storage.journeys.get_journey(db, "cafe")
    assert [m.id for m in journey.moments] == ["waiting", "meal", "bill", "goodbye", "review"]
    scores = manager.get("/admin/j/cafe").get_data(as_text=True)
    assert "Accueil à votre arrivée" in scores  # retired, still in its history


def test_a_moment_may_ask_its_own_questions_checked_like_a_file(manager, db):
    page = manager.get(EDIT)
    html = text(page)
    assert "moments-2-question_1" not in html  # it asks the questions of its kind
    assert "Il pose les questions de son type :" in html
    assert "<li>Votre repas : comment cela s’est-il passé ?</li>" in html
    page = manager.post(EDIT, data=edited(page, action="questions-2"))
    (first,) = re.findall(r'<select [^>]*id="moments-2-question_1"[^>]*>', text(page))
    assert " autofocus" in first
    refused = manager.post(
        EDIT, data=edited(page, action="check", **{"moments-2-question_1": "why"})
    )
    assert refused.status_code == 422
    assert "Moment 3, questions" in text(refused)
    assert "une question qui distingue" in text(refused)
    response = manager.post(
        EDIT,
        data=edited(
            page,
            action="publish",
            **{"moments-2-question_1": "experience", "moments-2-question_2": "why"},
        ),
    )
    assert response.status_code == 303
    assert storage.journeys.get_journey(db, "cafe").moment("meal").questions == (
        "experience",
        "why",
    )


def test_a_journey_is_duplicated_under_a_new_id(manager, db):
    page = manager.get(f"{NEW}?from=cafe")
    fields = form_fields(page.get_data(as_text=True), "editor")
    assert fields["slug"] == "cafe-copy" and fields["moments-2-name_ro"] == "Masa dumneavoastră"
    response = manager.post(NEW, data=edited(page, action="publish", brand="Café du Port"))
    assert response.status_code == 303
    copy, original = (
        storage.journeys.get_journey(db, "cafe-copy"),
        storage.journeys.get_journey(db, "cafe"),
    )
    assert copy.brand == "Café du Port"
    assert [m.to_dict() for m in copy.moments] == [m.to_dict() for m in original.moments]
    assert copy.branding == original.branding and copy.after_answer == original.after_answer


def test_the_preview_shows_the_draft_moment_in_the_chosen_language(manager):
    page = manager.get(EDIT)
    fields = edited(page, **{"moments-2-name_ro": "Masa cea nouă"})
    response = manager.post("/admin/editor-preview?moment=2&language=ro", data=fields)
    assert response.status_code == 200
    html = text(response)
    assert "<h1>Masa cea nouă</h1>" in html and "Trimite răspunsurile" in html
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-src 'self'" in page.headers["Content-Security-Policy"]
    fields.setlist("moments-2-kind", ["nothing"])
    pending = text(manager.post("/admin/editor-preview?moment=2&language=ro", data=fields))
    assert "L’aperçu du moment 3 apparaîtra" in pending and "&#39;nothing&#39;" in pending


def test_a_form_left_open_too_long_keeps_what_was_typed(manager, db):
    page = manager.get(NEW).get_data(as_text=True)
    response = manager.post(NEW, data=bistro(page, action="publish", csrf_token="stale"))
    assert response.status_code == 400
    assert "ouverte trop longtemps" in text(response) and 'value="Le Bistrot"' in text(response)
    assert storage.journeys.get_journey(db, "bistro") is None


def test_more_moments_than_allowed_are_refused_whole(manager, db):
    page = manager.get(NEW).get_data(as_text=True)
    many = {f"moments-{i}-name_fr": f"M{i}" for i in range(60)}
    many |= {f"moments-{i}-id": f"m{i}" for i in range(60)}
    response = manager.post(NEW, data=bistro(page, action="publish", **many))
    assert response.status_code == 422
    assert "au plus 50 moments" in text(response)
    assert storage.journeys.get_journey(db, "bistro") is None


def test_viewers_cannot_reach_the_editor(app, db):
    accounts.create(db, "victor", PASSWORD, "viewer")
    client = app.test_client()
    admin_log_in(client, "victor", PASSWORD, "fr")
    for path in (NEW, EDIT, f"{NEW}?from=cafe", "/admin/editor-preview"):
        assert client.get(path).status_code == 403
        assert client.post(path, data={}).status_code == 403


def test_a_description_under_the_title_is_checked_for_each_language(manager, db):
    page = manager.get(EDIT)
    fields = edited(page, action="check", **{"moments-2-description_fr": "Ce que vous avez mangé"})
    checked = text(manager.post(EDIT, data=fields))
    instead = "Les clients qui lisent cette langue liront « Ce que vous avez mangé »"
    assert instead in checked
    assert "Română : textes écrits, 6 sur 7" in checked
    fields.setlist("moments-2-description_ro", ["Ce ați mâncat"])
    fields.setlist("action", ["publish"])
    assert manager.post(EDIT, data=fields).status_code == 303
    meal = storage.journeys.get_journey(db, "cafe").moment("meal")
    assert meal.description == {"fr": "Ce que vous avez mangé", "ro": "Ce ați mâncat"}
    survey = text(manager.get("/admin/j/cafe/preview/meal?lang=ro"))
    assert '<h1>Masa dumneavoastră</h1> <p class="description">Ce ați mâncat</p>' in survey


def test_what_a_manager_types_comes_back_escaped(manager):
    page = manager.get(NEW).get_data(as_text=True)
    hostile = '"><script>alert(1)</script>'
    response = manager.post(NEW, data=bistro(page, **{"moments-0-name_fr": hostile}))
    html = response.get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html


def upload_logo(manager, data: bytes, name="logo.png"):
    page = manager.get(EDIT)
    fields = edited(page, action="logo")
    fields.add("logo_file", (io.BytesIO(data), name))
    return manager.post(EDIT, data=fields, content_type="multipart/form-data")


def cafe_logo(db):
    branding = storage.journeys.get_journey(db, "cafe").branding
    return branding.logo if branding else None


def test_a_logo_is_uploaded_replaced_and_removed_in_the_editor(manager, db):
    before = cafe_logo(db).sha256
    shown = upload_logo(manager, png())
    assert shown.status_code == 200
    page = shown.get_data(as_text=True)
    (src,) = re.findall(r'<img class="logo-preview" src="([^"]+)"', page)
    assert manager.get(src).get_data() == png()  # what the customers will see
    assert cafe_logo(db).sha256 == before  # not published yet
    fields = form_fields(page, "editor")
    fields.setlist("action", ["publish"])
    assert manager.post(EDIT, data=fields).status_code == 303
    assert cafe_logo(db).sha256 == hashlib.sha256(png()).hexdigest()
    # Replaced by another, then removed.
    replaced = upload_logo(manager, png(200, 50))
    fields = form_fields(replaced.get_data(as_text=True), "editor")
    fields.setlist("action", ["publish"])
    manager.post(EDIT, data=fields)
    assert cafe_logo(db).width == 200
    fields = edited(manager.get(EDIT), remove_logo="y", action="publish")
    manager.post(EDIT, data=fields)
    assert cafe_logo(db) is None


def test_a_logo_that_is_not_a_small_png_or_jpeg_is_refused_in_the_editor(manager, db):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    for data, said in (
        (svg, "PNG ou JPEG"),
        (png(1200, 40), "au plus par côté"),
        (b"\x89PNG" + b"0" * 120_000, "Kio"),
    ):
        refused = upload_logo(manager, data, "logo.svg")
        assert refused.status_code == 422
        assert "Le logo n’a pas été gardé" in text(refused) and said in text(refused)
        # The logo the form had is kept as it was.
        (src,) = re.findall(r'class="logo-preview" src="([^"]+)"', refused.get_data(as_text=True))
        assert cafe_logo(db).sha256 in src
    assert upload_logo(manager, b"", "").status_code == 422
