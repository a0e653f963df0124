"""French typography on the pages as rendered: a narrow no-break space before : ; ! ?

The catalog test checks each translation; this one checks what a French reader sees, where
a template may put a label and its colon side by side."""

from __future__ import annotations

import html
import re

import pytest

from surveyapp.services import accounts, simulate
from tests.helpers import admin_log_in, get_then_post, record_scored

pytestmark = pytest.mark.sqlite_only  # typography checked once: the engine does not change it

NNBSP = "\u202f"
# Punctuation that French sets off with a narrow no-break space; not between two digits
# (a time, 23:05) and not in a URL (https:).
NEEDS_SPACE = re.compile(r"(?<![\u202f\d])[:;!?](?!//)|(?<=\d)[;!?]")


def visible_text(page: str) -> str:
    """What a reader sees as prose: no tags, scripts, styles, attribute values, nor code
    (the links shown to be copied are addresses, not French sentences)."""
    page = re.sub(r"<(script|style|code)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]*>", " ", page)
    return html.unescape(page)


def slips(page: str) -> list[str]:
    text = visible_text(page)
    return [text[max(0, m.start() - 30) : m.end() + 10] for m in NEEDS_SPACE.finditer(text)]


@pytest.fixture
def french_manager(app, db, loaded):
    accounts.create(db, "maria", "correct horse battery", "admin")
    for i in range(31):  # enough answers for the dashboard to list the moment of pain
        why = "Trop froid" if i % 2 else None
        record_scored(db, loaded["cafe"], "meal", {"experience": "negative"}, comment=why)
    simulate.run(db, loaded["saas-onboarding"], customers=1500, seed=2)  # labelled insights
    client = app.test_client()
    admin_log_in(client, "maria", "correct horse battery", "fr")
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/admin/?lang=fr",
        "/admin/j/cafe?lang=fr",
        "/admin/j/cafe/m/meal/comments?lang=fr",
        "/admin/j/cafe/followups?lang=fr",
        "/admin/j/saas-onboarding/insights?lang=fr",
        "/admin/j/cafe/preview/meal?lang=fr",
    ],
)
def test_french_admin_pages_set_off_their_punctuation(french_manager, path):
    response = french_manager.get(path)
    assert response.status_code == 200
    assert slips(response.get_data(as_text=True)) == []


@pytest.mark.parametrize(
    "path", ["/j/cafe/meal?lang=fr", "/j/cafe/meal/thanks?lang=fr", "/nowhere?lang=fr"]
)
def test_french_customer_pages_set_off_their_punctuation(client, path):
    assert slips(client.get(path).get_data(as_text=True)) == []


def test_a_refused_french_survey_sets_off_its_punctuation(client):
    refused = get_then_post(client, "/j/cafe/meal?lang=fr", {"experience": "nonsense"})
    assert refused.status_code == 422
    assert slips(refused.get_data(as_text=True)) == []


def test_the_check_catches_a_label_and_its_colon_side_by_side():
    assert [slip.strip() for slip in slips("<p>Client: anonyme</p>")] == ["Client: anonyme"]
    assert slips(f"<p>Client{NNBSP}: anonyme, à 23:05</p>") == []


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("fr", "20\u202f000 liens personnels créés."),
        ("ro", "20.000 de linkuri personale create."),
        ("en", "20,000 personal links made."),
    ],
)
def test_counts_in_sentences_are_written_as_the_readers_locale_writes_numbers(app, lang, sentence):
    template = app.jinja_env.from_string(
        "{{ ngettext('%(num)s personal link made.', '%(num)s personal links made.', n) }}"
    )
    with app.test_request_context(f"/?lang={lang}"):
        assert template.render(n=20000) == sentence


@pytest.mark.parametrize(
    ("lang", "subject"),
    [
        ("fr", "12\u202f345 nouvelles réponses négatives"),
        ("ro", "12.345 de răspunsuri negative noi"),
        ("en", "12,345 new negative responses"),
    ],
)
def test_an_emails_counts_are_written_as_its_readers_locale_writes_numbers(lang, subject):
    from surveyapp.services import digest

    pains = digest.Digest(moments=[], total=12345, listed=0, last_id=1)
    message = digest.compose(pains, locale=lang, sender="s@example.com", to=["cx@example.com"])
    assert message["Subject"] == subject
    assert subject.split(" ")[0] in message.get_body(("plain",)).get_content()
