"""Every publication of a journey kept: who and when, what changed, publishing an old
version again, and the second of two admins refused rather than overwriting."""

from __future__ import annotations

import getpass
import re

from surveyapp import storage
from surveyapp.services import accounts
from tests.helpers import admin_log_in, csrf_token

PASSWORD = "correct horse battery"
VERSIONS = "/admin/j/cafe/versions"


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def rename_meal(journeys_dir, name: str, old: str = "Votre repas"):
    """The café's definition with the meal's French name changed."""
    path = journeys_dir / "cafe.yaml"
    path.write_text(path.read_text().replace(f"fr: {old}", f"fr: {name}", 1))
    return path


def test_each_change_is_a_new_version_with_its_author(run_cli, db, loaded, journeys_dir):
    assert [v["number"] for v in storage.journey_versions.versions(db, "cafe")] == [1]
    run_cli("journey", "load", str(journeys_dir / "cafe.yaml"))  # unchanged: no version
    assert [v["number"] for v in storage.journey_versions.versions(db, "cafe")] == [1]
    result = run_cli("journey", "load", str(rename_meal(journeys_dir, "Le repas")))
    assert result.exit_code == 0
    newest = storage.journey_versions.versions(db, "cafe")[0]
    assert (newest["number"], newest["author"]) == (2, f"cli:{getpass.getuser()}")
    assert (
        storage.journey_versions.version(db, "cafe", 1).moment("meal").name["fr"] == "Votre repas"
    )


def test_the_manager_reads_what_changed(manager, run_cli, journeys_dir):
    run_cli("journey", "load", str(rename_meal(journeys_dir, "Le repas")))
    page = text(manager.get(VERSIONS))
    assert "Versions de cafe" in page and "cli:" in page
    changes = text(manager.get(f"{VERSIONS}?v=2"))
    assert "Ce qui a changé de la version 1 à la version 2" in changes
    assert re.search(r"<del>.*?− +fr: Votre repas</del>", changes)
    assert re.search(r"<ins>.*?\+ +fr: Le repas</ins>", changes)
    assert manager.get(f"{VERSIONS}?v=9").status_code == 404


def test_an_old_version_is_published_again_as_the_newest(manager, run_cli, db, journeys_dir):
    run_cli("journey", "load", str(rename_meal(journeys_dir, "Le repas")))
    page = manager.get(VERSIONS).get_data(as_text=True)
    response = manager.post(
        f"{VERSIONS}/1/restore", data={"csrf_token": csrf_token(page), "based_on": "2"}
    )
    assert response.status_code == 303
    assert "La version 1 est de nouveau publiée." in text(manager.get(response.headers["Location"]))
    assert storage.journeys.get_journey(db, "cafe").moment("meal").name["fr"] == "Votre repas"
    newest = storage.journey_versions.versions(db, "cafe")[0]
    assert (newest["number"], newest["author"]) == (3, "maria")


def test_the_second_of_two_admins_is_refused(manager, app, run_cli, db, journeys_dir):
    run_cli("journey", "load", str(rename_meal(journeys_dir, "Le repas")))
    page = manager.get(VERSIONS).get_data(as_text=True)  # shown at version 2
    run_cli("journey", "load", str(rename_meal(journeys_dir, "Le dîner", "Le repas")))  # version 3
    response = manager.post(
        f"{VERSIONS}/1/restore", data={"csrf_token": csrf_token(page), "based_on": "2"}
    )
    assert response.status_code == 409
    assert "Quelqu’un a publié ce parcours entre-temps" in text(response)
    assert "La version 3 a été publiée" in text(response)
    assert storage.journeys.get_journey(db, "cafe").moment("meal").name["fr"] == "Le dîner"
    assert storage.journey_versions.latest_number(db, "cafe") == 3


def test_a_viewer_reads_versions_but_cannot_publish(app, db, loaded):
    accounts.create(db, "victor", PASSWORD, "viewer")
    viewer = app.test_client()
    admin_log_in(viewer, "victor", PASSWORD, "fr")
    assert viewer.get(VERSIONS).status_code == 200
    assert "de nouveau" not in text(viewer.get(VERSIONS))
    assert viewer.post(f"{VERSIONS}/1/restore", data={"based_on": "1"}).status_code == 403


def test_an_old_version_downloads_as_a_file_journey_load_takes(manager, run_cli, tmp_path):
    download = manager.get(f"{VERSIONS}/1.yaml")
    assert download.headers["Content-Disposition"] == 'attachment; filename="cafe-v1.yaml"'
    path = tmp_path / "cafe-v1.yaml"
    path.write_bytes(download.data)
    assert run_cli("journey", "load", str(path)).output.strip() == "cafe: unchanged"


def test_a_load_through_the_api_says_its_version_and_whose_key(app, db, loaded, journeys_dir):
    from surveyapp.services import apikeys

    key = apikeys.create(db, "crm")
    response = app.test_client().post(
        "/api/v1/journeys",
        data=rename_meal(journeys_dir, "Le repas").read_bytes(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/yaml"},
    )
    assert response.status_code == 200 and response.json["version"] == 2
    assert storage.journey_versions.versions(db, "cafe")[0]["author"] == "api:crm"
