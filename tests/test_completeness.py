"""A text missing in one of a journey's languages never reaches customers unnoticed:
`journey check` and `journey load` warn with its path and locale (`--strict` refuses),
the API's load reply lists it, and the admin's journey list marks the journey."""

from __future__ import annotations

import io

from surveyapp import storage
from surveyapp.services import accounts
from tests.helpers import admin_log_in, csrf_token

SHOP = (
    "id: shop\nbrand: Shop\ndefault_locale: fr\nlocales: [fr, ro, en]\n"
    "moments:\n"
    "  - {id: visit, kind: fmot, name: {fr: Visite, ro: Vizita, en: Visit}}\n"
    "  - {id: bill, kind: touchpoint, name: {fr: Addition, en: Bill}}\n"
    "  - {id: advice, kind: lmot, name: {fr: Avis}}\n"
)


def test_check_warns_of_each_missing_text_and_strict_refuses_them(run_cli, tmp_path):
    path = tmp_path / "shop.yaml"
    path.write_text(SHOP)
    checked = run_cli("journey", "check", path)
    assert checked.exit_code == 0 and "shop: valid (3 moments)" in checked.output
    assert (
        f'{path}: warning: moments[1].name: no "ro" text; its readers get the "fr" one'
        in checked.output
    )
    assert 'moments[2].name: no "ro" text' in checked.output
    assert 'moments[2].name: no "en" text' in checked.output
    strict = run_cli("journey", "check", "--strict", path)
    assert strict.exit_code == 1 and "3 warning(s), refused by --strict." in strict.output


def test_a_description_missing_in_a_language_is_warned_of(run_cli, tmp_path):
    path = tmp_path / "shop.yaml"
    described = "description: {fr: Votre passage en caisse, en: Paying}}\n"
    path.write_text(
        SHOP.replace(
            "name: {fr: Addition, en: Bill}}\n", "name: {fr: Addition, en: Bill}, " + described
        )
    )
    checked = run_cli("journey", "check", path)
    assert checked.exit_code == 0
    assert 'moments[1].description: no "ro" text; its readers get the "fr" one' in checked.output


def test_a_complete_journey_passes_strict(run_cli, journeys_dir):
    checked = run_cli("journey", "check", "--strict", journeys_dir / "cafe.yaml")
    assert checked.exit_code == 0 and "warning" not in checked.output


def test_load_warns_and_loads(run_cli, tmp_path, db):
    path = tmp_path / "shop.yaml"
    path.write_text(SHOP)
    loaded = run_cli("journey", "load", path)
    assert loaded.exit_code == 0 and "warning: moments[1].name" in loaded.output
    assert storage.journeys.get_journey(db, "shop") is not None


def test_the_api_lists_the_warnings_of_what_it_loaded(app, db):
    from surveyapp.services import apikeys

    key = apikeys.create(db, "ci")
    response = app.test_client().post(
        "/api/v1/journeys",
        data=SHOP,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/yaml"},
    )
    assert response.status_code == 201
    assert {"path": "moments[1].name", "locale": "ro", "shown": "fr"} in response.get_json()[
        "warnings"
    ]


def test_the_admin_upload_and_list_mark_an_incomplete_journey(app, db, loaded):
    accounts.create(db, "maria", "correct horse battery", "admin")
    client = app.test_client()
    admin_log_in(client, "maria", "correct horse battery", "fr")
    page = client.get("/admin/?lang=fr").get_data(as_text=True)

    def upload(**confirm):
        return client.post(
            "/admin/?lang=fr",
            data={
                "csrf_token": csrf_token(page),
                "definition": (io.BytesIO(SHOP.encode()), "shop.yaml"),
                **confirm,
            },
            content_type="multipart/form-data",
        )

    refused = upload()
    assert refused.status_code == 422 and storage.journeys.get_journey(db, "shop") is None
    said = refused.get_data(as_text=True)
    assert "Non publié : 3 textes manquent dans une langue." in said.replace("\u202f", " ")
    assert "moments[1].name\u202f: les clients lisant ro liront «\u202fAddition\u202f» (fr)" in said
    uploaded = upload(publish_incomplete="y").get_data(as_text=True)
    assert "Chargé, mais 3 textes manquent dans une langue" in uploaded
    assert "moments[1].name\u202f: pas de texte en ro" in uploaded
    row = uploaded.split('<a href="/admin/j/shop">shop</a>')[1].split("</tr>")[0]
    assert "<strong>3 textes manquants</strong>" in row
    cafe = uploaded.split('<a href="/admin/j/cafe">cafe</a>')[1].split("</tr>")[0]
    assert "Complètes" in cafe


def test_a_downloaded_definition_loads_back_unchanged(app, db, loaded, run_cli, tmp_path):
    """The browser and journeys-as-code stay one thing: the file the admin downloads (or
    `journey export` writes), logo and all, is the stored journey again."""
    accounts.create(db, "maria", "correct horse battery", "viewer")
    client = app.test_client()
    admin_log_in(client, "maria", "correct horse battery", "fr")
    listing = client.get("/admin/?lang=fr").get_data(as_text=True)
    assert 'href="/admin/j/cafe/definition.yaml" download>Télécharger en YAML</a>' in listing
    downloaded = client.get("/admin/j/cafe/definition.yaml")
    assert downloaded.mimetype == "application/yaml"
    assert 'filename="cafe.yaml"' in downloaded.headers["Content-Disposition"]
    path = tmp_path / "cafe.yaml"
    path.write_bytes(downloaded.data)
    assert "logo: data:image/png;base64," in downloaded.get_data(as_text=True)
    assert run_cli("journey", "load", path).output.strip() == "cafe: unchanged"
    exported = run_cli("journey", "export", "saas-onboarding", "--out", tmp_path / "saas.yaml")
    assert exported.exit_code == 0
    assert run_cli("journey", "load", tmp_path / "saas.yaml").output.strip() == (
        "saas-onboarding: unchanged"
    )
    assert client.get("/admin/j/nowhere/definition.yaml").status_code == 404


def test_the_dashboard_gives_each_public_link_and_its_qr_codes(app, db, loaded):
    accounts.create(db, "maria", "correct horse battery", "viewer")
    client = app.test_client()
    admin_log_in(client, "maria", "correct horse battery", "ro")
    page = client.get("/admin/j/cafe?lang=ro").get_data(as_text=True)
    base = app.config["BASE_URL"]
    assert f'<code class="link">{base}/j/cafe/meal?lang=ro</code>' in page
    svg = client.get("/admin/j/cafe/m/meal/qr.svg?lang=ro")
    assert svg.mimetype == "image/svg+xml" and svg.data.lstrip().startswith(b"<?xml")
    assert 'filename="cafe-meal-ro.svg"' in svg.headers["Content-Disposition"]
    png = client.get("/admin/j/cafe/m/meal/qr.png?lang=fr")
    assert png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")
    for wrong in (
        "/admin/j/cafe/m/meal/qr.gif",
        "/admin/j/cafe/m/meal/qr.svg?lang=en",
        "/admin/j/cafe/m/nowhere/qr.svg",
    ):
        assert client.get(wrong).status_code == 404
