"""The survey page's language switcher keeps what the customer typed, with or without
JavaScript: its buttons submit the form, and the page comes back in the other language
with the answers as they were, nothing validated and nothing stored."""

from __future__ import annotations

import re

import pytest

from surveyapp import storage
from surveyapp.domain import surveys
from tests.helpers import csrf_token


def text_question(journey, moment_id):
    survey = surveys.survey_for(journey, journey.moment(moment_id))
    return survey, next(q for q in survey.questions if q.type == "text")


@pytest.mark.parametrize("link", ["public", "personal"])
def test_switching_language_keeps_the_answers_and_stores_nothing(client, db, loaded, token, link):
    cafe = loaded["cafe"]
    path = f"/s/{token}?lang=fr" if link == "personal" else "/j/cafe/meal?lang=fr"
    moment = (
        storage.invitations.get_invitation_and_journey(db, token)[0]["moment_id"]
        if link == "personal"
        else "meal"
    )
    survey, text = text_question(cafe, moment)
    page = client.get(path).get_data(as_text=True)
    assert 'form="survey" name="switch_language" value="ro"' in page
    typed = "Le café était froid & <trop> sucré"
    posted = client.post(
        path,
        data={
            "csrf_token": csrf_token(page),
            survey.deciding.key: "negative" if survey.deciding.type == "polarity" else "3",
            text.key: typed,
            "switch_language": "ro",
        },
    )
    assert posted.status_code == 200
    html = posted.get_data(as_text=True)
    assert '<html lang="ro">' in html
    assert "Le café était froid &amp; &lt;trop&gt; sucré</textarea>" in html
    assert re.search(r'<input checked [^>]*value="(negative|3)"', html)
    assert 'role="alert"' not in html  # no errors shown: nothing was submitted as an answer
    assert re.search(r'<form id="survey" method="post" action="[^"]*lang=ro', html)
    assert storage.responses.count_responses(db) == 0


def test_a_language_the_journey_does_not_offer_is_an_ordinary_post(client, db, loaded):
    page = client.get("/j/cafe/meal?lang=fr").get_data(as_text=True)
    posted = client.post(
        "/j/cafe/meal?lang=fr",
        data={"csrf_token": csrf_token(page), "experience": "positive", "switch_language": "en"},
    )
    assert posted.status_code == 303  # cafe is fr and ro only: the answer is recorded
    assert storage.responses.count_responses(db) == 1


@pytest.mark.browser
@pytest.mark.sqlite_only  # a browser's behaviour, checked once
@pytest.mark.parametrize("javascript", [False, True])
def test_in_a_browser_the_typed_text_survives_the_switch(browser, live_server, javascript):
    context = browser.new_context(
        java_script_enabled=javascript, viewport={"width": 360, "height": 800}
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server}/j/cafe/meal?lang=fr")
        page.locator("textarea").fill("Service lent mais aimable")
        page.get_by_role("button", name="Română").click()
        page.wait_for_load_state()
        assert page.evaluate("document.documentElement.lang") == "ro"
        assert page.locator("textarea").input_value() == "Service lent mais aimable"
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.sqlite_only
def test_the_form_default_button_sends_the_answers_rather_than_switching_language(
    browser, live_server
):
    """Enter in a field submits with the form's default button (CSS :default, as the
    browser computes it): the answers' button, never a language in the header."""
    page = browser.new_page()
    try:
        page.goto(f"{live_server}/j/cafe/meal?lang=fr")
        default = page.locator("#survey button:default, button[form=survey]:default")
        assert default.count() == 1
        assert default.get_attribute("name") is None  # not switch_language
        assert default.get_attribute("class") == "default-submit"
    finally:
        page.close()
