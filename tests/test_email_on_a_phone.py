"""The invitation and recovery emails fit a phone: rendered at 360 px in headless
Chromium, nothing scrolls sideways and every choice is a button at least 44 px tall, in
balanced rows."""

from __future__ import annotations

import pytest

from surveyapp import storage
from surveyapp.services import customer_mail, mailer, recovery
from tests.helpers import make_invitation

pytestmark = [
    pytest.mark.browser,
    pytest.mark.sqlite_only,
]  # layout checked once: the engine does not change it


def rendered(browser, message):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.set_content(message.get_body(("html",)).get_content())
    return page


def buttons(page):
    boxes = [
        page.locator("a[href*='?a=']").nth(i).bounding_box()
        for i in range(page.locator("a[href*='?a=']").count())
    ]
    return boxes


@pytest.mark.parametrize(
    ("journey_id", "moment_id", "locale", "rows"),
    [
        ("saas-onboarding", "recommendation", "ro", [6, 5]),  # NPS 0-5, 6-10
        ("cafe", "meal", "fr", [3]),  # Well, So-so, Badly
    ],
)
def test_the_invitation_email_fits_a_360_px_phone(
    browser, db, loaded, journey_id, moment_id, locale, rows
):
    token = make_invitation(db, loaded[journey_id], moment_id, "C-1", locale, "c1@example.ro")
    invitation = storage.invitations.get_invitation(db, token)
    message = mailer.compose(
        invitation, loaded[journey_id], base_url="https://s.example", sender="s@example"
    )
    page = rendered(browser, message)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        boxes = buttons(page)
        assert all(box["height"] >= 44 for box in boxes), [b["height"] for b in boxes]
        assert all(box["x"] >= 0 and box["x"] + box["width"] <= 360 for box in boxes)
        tops = sorted({round(box["y"]) for box in boxes})
        assert [sum(round(b["y"]) == top for b in boxes) for top in tops] == rows
    finally:
        page.close()


def test_the_recovery_email_fits_a_360_px_phone_under_the_brand(browser, loaded):
    written = recovery.RecoveryEmail(
        subject="Café des Arts : avons-nous arrangé les choses ?",
        text="Bonjour",
        moment="Le repas, et un nom de moment assez long pour passer à la ligne",
        link="https://s.example/r/" + "t" * 22,
        until="7 janvier 2027",
    )
    message = customer_mail.compose_recovery(
        loaded["cafe"], written, locale="fr", base_url="https://s.example", sender="s@x", to="a@x"
    )
    page = rendered(browser, message)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        button = page.locator(f"a[href='{written.link}']").bounding_box()
        assert button["height"] >= 44 and button["x"] + button["width"] <= 360
        assert page.locator("img[alt='Café des Arts']").count() == 1  # its logo
    finally:
        page.close()


def test_the_plain_text_part_stays_short_for_a_scale_and_keeps_one_click_for_faces(db, loaded):
    def plain(journey_id, moment_id, locale):
        token = make_invitation(
            db, loaded[journey_id], moment_id, f"P-{moment_id}", locale, "p@x.ro"
        )
        message = mailer.compose(
            storage.invitations.get_invitation(db, token),
            loaded[journey_id],
            base_url="https://s",
            sender="s@x",
        )
        return message.get_body(("plain",)).get_content()

    nps = plain("saas-onboarding", "recommendation", "ro")
    assert "?a=" not in nps and "Răspundeți aici: https://s/s/" in nps
    assert "0 = deloc probabil · 10 = extrem de probabil" in nps
    assert len(nps.splitlines()) < 20
    faces = plain("cafe", "meal", "fr")
    assert faces.count("?a=") == 3 and "- Bien\u202f: https://s/s/" in faces  # French spacing
