"""A journey's branding: its accent colour, refused unless it keeps WCAG AA contrast,
and its logo, a real PNG or JPEG stored by the service (never SVG), on the survey and
thank-you pages and in the invitation email."""

from __future__ import annotations

import base64
import io
import json

import pytest
from PIL import Image

from surveyapp import storage
from surveyapp.domain.definitions import parse_definition, read_definition_file
from surveyapp.domain.problems import DefinitionError
from surveyapp.services import accounts, mailer
from tests.helpers import admin_log_in, csrf_token, make_invitation

DEFINITION = {
    "id": "shop",
    "brand": "Shop",
    "default_locale": "fr",
    "locales": ["fr"],
    "moments": [{"id": "a", "kind": "lmot", "name": "A"}],
}


def png(width=120, height=40, fmt="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "#224466").save(out, fmt)
    return out.getvalue()


def uri(data: bytes, kind="image/png") -> str:
    return f"data:{kind};base64," + base64.b64encode(data).decode()


def refused(branding) -> str:
    with pytest.raises(DefinitionError) as raised:
        parse_definition(json.dumps({**DEFINITION, "branding": branding}))
    return str(raised.value)


@pytest.mark.parametrize(
    ("branding", "message"),
    [
        ({"accent": "#ffcc00"}, "too light"),  # yellow: 1.5 to 1 with white
        ({"accent": "red"}, "must be a colour written #rrggbb"),
        ({"logo": uri(b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml")}, "SVG"),
        ({"logo": uri(b"<svg onload='alert(1)'/>")}, "must be a PNG or JPEG"),  # lying type
        ({"logo": uri(png(2000, 40))}, "at most 1,000 on a side"),
        ({"logo": uri(b"x" * (101 * 1024))}, "at most 100 KiB"),
        ({"logo": "data:image/png;base64,@@@"}, "not valid base64"),
        ({"logo": "logo.png"}, "only when the definition is read from a file"),
        ({"colour": "#000000"}, "branding.colour: unknown field"),
    ],
)
def test_a_branding_that_would_hurt_customers_is_refused(branding, message):
    assert message in refused(branding)


def test_the_contrast_message_gives_the_ratio_and_what_aa_needs():
    text = refused({"accent": "#ffcc00"})
    assert "1.5 to 1" in text and "4.5 to 1" in text
    with pytest.raises(DefinitionError) as raised:
        parse_definition(json.dumps({**DEFINITION, "branding": {"accent": "#ffcc00"}}))
    (problem,) = raised.value.problems
    french = problem.why.text("fr")  # the decimals of the reader's language
    assert "1,5 pour 1" in french and "4,5 pour 1" in french


def test_a_logo_file_outside_the_definitions_folder_is_refused(tmp_path):
    (tmp_path / "inner").mkdir()
    (tmp_path / "logo.png").write_bytes(png())
    path = tmp_path / "inner" / "shop.json"
    path.write_text(json.dumps({**DEFINITION, "branding": {"logo": "../logo.png"}}))
    with pytest.raises(DefinitionError, match="in the definition's folder"):
        read_definition_file(path)


def test_a_jpeg_logo_next_to_the_definition_is_kept_with_its_size(tmp_path):
    (tmp_path / "logo.jpg").write_bytes(png(90, 30, "JPEG"))
    path = tmp_path / "shop.json"
    path.write_text(
        json.dumps({**DEFINITION, "branding": {"logo": "logo.jpg", "accent": "#224466"}})
    )
    journey = read_definition_file(path)
    logo = journey.branding.logo
    assert (logo.content_type, logo.width, logo.height, logo.extension) == (
        "image/jpeg",
        90,
        30,
        "jpg",
    )
    assert journey.to_dict()["branding"] == {
        "accent": "#224466",
        "logo": {"sha256": logo.sha256, "type": "image/jpeg", "width": 90, "height": 30},
    }


def test_the_cafe_pages_show_its_logo_and_accent(client, db, loaded):
    cafe = loaded["cafe"]
    logo = cafe.branding.logo
    page = client.get("/j/cafe/meal?lang=fr").get_data(as_text=True)
    src = f"/brand/logo/{logo.sha256}.png"
    assert f'<img class="logo" src="{src}" alt="Café des Arts" width="240" height="72">' in page
    assert '<link rel="stylesheet" href="/brand/accent/7a3e12.css">' in page
    served = client.get(src)
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert served.data == (storage.journeys.logo(db, logo.sha256)[1])
    assert "immutable" in served.headers["Cache-Control"]
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    css = client.get("/brand/accent/7a3e12.css")
    assert css.mimetype == "text/css" and "--accent: #7a3e12" in css.get_data(as_text=True)
    assert client.get("/brand/logo/" + "0" * 64 + ".png").status_code == 404
    assert client.get("/brand/accent/red.css").status_code == 404
    # The journey without branding keeps the service's own look.
    plain = client.get("/j/saas-onboarding/billing?lang=fr").get_data(as_text=True)
    assert "/brand/" not in plain


def test_the_invitation_email_carries_the_logo_and_the_accent(db, loaded):
    cafe = loaded["cafe"]
    token = make_invitation(db, cafe)
    invitation = storage.invitations.get_invitation_and_journey(db, token)[0]
    message = mailer.compose(
        {**invitation, "email": "ana@example.com"},
        cafe,
        base_url="https://surveys.example",
        sender="s@example.com",
    )
    html = message.get_body(("html",)).get_content()
    assert f'src="https://surveys.example/brand/logo/{cafe.branding.logo.sha256}.png"' in html
    assert 'width="160" height="48"' in html  # 240x72 shown 48 px tall
    assert "border:1px solid #7a3e12" in html and "#0b57d0" not in html


def test_an_admin_uploads_a_definition_with_its_logo(app, db, loaded, journeys_dir):
    accounts.create(db, "maria", "correct horse battery", "admin")
    client = app.test_client()
    admin_log_in(client, "maria", "correct horse battery", "en")
    page = client.get("/admin/?lang=en").get_data(as_text=True)
    definition = json.dumps({**DEFINITION, "branding": {"accent": "#224466"}})
    response = client.post(
        "/admin/?lang=en",
        data={
            "csrf_token": csrf_token(page),
            "definition": (io.BytesIO(definition.encode()), "shop.json"),
            "logo": (io.BytesIO(png(100, 50)), "logo.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    shop = storage.journeys.get_journey(db, "shop")
    assert shop.branding.accent == "#224466" and shop.branding.logo.width == 100
    assert storage.journeys.logo(db, shop.branding.logo.sha256)[0] == "image/png"
    # An SVG in the logo field is refused, and nothing changes.
    svg = client.post(
        "/admin/?lang=en",
        data={
            "csrf_token": csrf_token(page),
            "definition": (
                io.BytesIO(definition.replace("224466", "113355").encode()),
                "shop.json",
            ),
            "logo": (io.BytesIO(b"<svg xmlns='http://www.w3.org/2000/svg'/>"), "logo.svg"),
        },
        content_type="multipart/form-data",
    )
    assert svg.status_code == 422 and "SVG is not accepted" in svg.get_data(as_text=True)
    assert storage.journeys.get_journey(db, "shop").branding.accent == "#224466"


@pytest.mark.browser
@pytest.mark.sqlite_only  # layout checked once
def test_the_logo_fits_a_phone_header(browser, live_server):
    page = browser.new_page(viewport={"width": 360, "height": 800})
    try:
        page.goto(f"{live_server}/j/cafe/meal?lang=ro")
        box = page.locator("img.logo").bounding_box()
        assert box["height"] <= 48 and box["width"] <= 360 * 0.6
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        send = "#survey > button[type=submit]:last-of-type"
        colour = page.evaluate(
            f"getComputedStyle(document.querySelector('{send}')).backgroundColor"
        )
        assert colour == "rgb(122, 62, 18)"  # the café's accent
    finally:
        page.close()
