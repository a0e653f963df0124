"""The survey page on a phone and on a desktop, in headless Chromium: balanced NPS rows,
radios in line when a label wraps, nothing wider than the screen."""

from __future__ import annotations

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.sqlite_only,
]  # layout checked once: the engine does not change it


def rows_of_radios(page, name: str) -> list[int]:
    """How many radios of question ``name`` stand on each line, top to bottom."""
    tops = [
        round(page.locator(f"input[name='{name}']").nth(i).bounding_box()["y"])
        for i in range(page.locator(f"input[name='{name}']").count())
    ]
    return [tops.count(top) for top in sorted(set(tops))]


@pytest.mark.parametrize(("width", "rows"), [(360, [6, 5]), (320, [6, 5]), (1024, [11])])
def test_nps_choices_stand_in_balanced_rows(browser, live_server, width, rows):
    page = browser.new_page(viewport={"width": width, "height": 800})
    try:
        page.goto(f"{live_server}/j/saas-onboarding/recommendation?lang=ro")
        assert rows_of_radios(page, "recommend") == rows
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        page.close()


def test_the_polarity_radios_stay_in_line_when_a_label_wraps(browser, live_server):
    page = browser.new_page(viewport={"width": 320, "height": 800})
    try:
        page.goto(f"{live_server}/j/cafe/meal?lang=ro")  # "Așa și așa" wraps at 320 px
        labels = page.locator(".choices-polarity .choice-label")
        heights = {round(labels.nth(i).bounding_box()["height"]) for i in range(3)}
        assert len(heights) > 1, "no label wrapped: the test proves nothing at this width"
        assert rows_of_radios(page, "experience") == [3]
    finally:
        page.close()


SWEEP = [
    "/?lang={lang}",
    "/j/saas-onboarding/recommendation?lang={lang}",
    "/j/saas-onboarding/support-ticket?lang={lang}",
    "/j/saas-onboarding/delivery/thanks?lang={lang}",
    "/j/cafe/meal?lang={cafe}",
    "/s/AAAAAAAAAAAAAAAAAAAAAA?lang={lang}",
]


@pytest.mark.parametrize("width", [360, 1280])
def test_no_customer_page_scrolls_sideways_in_any_language(browser, live_server, width):
    """Every customer page, and the thank-you page's next steps after a good and a bad
    answer, in fr, ro and en, on a phone and on a desktop."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    wide = []
    try:
        for lang in ("fr", "ro", "en"):
            cafe = lang if lang != "en" else "fr"  # the café speaks fr and ro
            for path in SWEEP:
                page.goto(live_server + path.format(lang=lang, cafe=cafe))
                if page.evaluate("document.documentElement.scrollWidth") > width:
                    wide.append(path.format(lang=lang, cafe=cafe))
            for moment, polarity in (("welcome", "positive"), ("bill", "negative")):
                page.goto(f"{live_server}/j/cafe/{moment}?lang={cafe}")
                page.locator(f"input[value={polarity}]").first.check()
                page.locator("#survey > button[type=submit]").last.click()
                page.wait_for_url("**/thanks?*")
                assert page.locator(".next-step").count() == 1
                if page.evaluate("document.documentElement.scrollWidth") > width:
                    wide.append(f"thanks after {polarity} {moment} ({cafe})")
            context.clear_cookies()
    finally:
        context.close()
    assert wide == []
