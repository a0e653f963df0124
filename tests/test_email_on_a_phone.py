"""The invitation email fits a phone: rendered at 360 px in headless Chromium, nothing
scrolls sideways and every choice is a button at least 44 px tall, in balanced rows."""

from __future__ import annotations

import pytest

from surveyapp import storage
from surveyapp.jobs import mailer
from tests.helpers import make_invitation

pytestmark = pytest.mark.browser


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
    invitation = storage.get_invitation(db, token)
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
