"""Typography on the pages and emails as rendered, in French and Romanian: a narrow
no-break space before : ; ! ? and inside « » in French, numbers as the reader's locale
writes them (grouped thousands, decimal commas, a true minus sign), Romanian "de" where
its plural calls for it and its letters with a comma below, language names in lower case
inside sentences.

The catalog test checks each translation; this one checks what a reader sees, where a
template may put a label and its colon side by side, or a number into a sentence."""

from __future__ import annotations

import html
import re

import pytest
from babel import Locale

from surveyapp import storage
from surveyapp.domain import i18n
from surveyapp.services import (
    accounts,
    customer_mail,
    digest,
    inbox,
    mailer,
    recovery,
    simulate,
    users,
)
from tests.helpers import admin_log_in, followups, get_then_post, make_invitation, record_scored
from tests.test_page_quality import (  # every page, and the fixture that fills them
    ADMIN_PAGES,
    CUSTOMER_PAGES,
    EMAIL_ITEMS,
    RESET_PATHS,
    populated,  # noqa: F401 - a fixture
)
from tests.test_page_quality import PASSWORD as PAGE_PASSWORD

pytestmark = pytest.mark.sqlite_only  # typography checked once: the engine does not change it

NNBSP = "\u202f"
# Punctuation that French sets off with a narrow no-break space; not between two digits
# (a time, 23:05) and not in a URL (https:).
NEEDS_SPACE = re.compile(r"(?<![\u202f\d])[:;!?](?!//)|(?<=\d)[;!?]")


def visible_text(page: str) -> str:
    """What a reader sees as prose in the page's language: no tags, scripts, styles,
    attribute values, code or preformatted text (links shown to be copied, a journey's
    YAML), nor the parts in another language (a Romanian subject on a French page)."""
    own = re.search(r'<html lang="([a-z]+)"', page)
    page = re.sub(r"<(script|style|code|pre)\b.*?</\1>", " ", page, flags=re.S)
    if own:
        other = rf'<(\w+)\b[^>]*\blang="(?!{own[1]}")[a-z]+"[^>]*>.*?</\1>'
        page = re.sub(other, " ", page, flags=re.S)
    page = re.sub(r"<[^>]*>", " ", page)
    return html.unescape(page)


def slips(page: str) -> list[str]:
    text = visible_text(page)
    return [text[max(0, m.start() - 30) : m.end() + 10] for m in NEEDS_SPACE.finditer(text)]


#: Slips in any language: a hyphen-minus before a number (not in a date, a range or a
#: reference like C-1), and a number of five digits or more not grouped.
COMMON_RULES = {
    "hyphen for a minus": re.compile(r"(?<![\w\-/.:#])-\d"),
    "thousands not grouped": re.compile(r"(?<![\w.,/:#\-\u202f\u00a0])\d{5,}(?![\w/\-])"),
}
FRENCH_RULES = {
    "no narrow space before : ; ! ?": NEEDS_SPACE,
    "no narrow space inside « »": re.compile("«(?!\u202f)|(?<!\u202f)»"),
    "English decimal point": re.compile(r"(?<![\w.])\d+\.\d+(?![\d.])"),
    "language name capitalized": re.compile(r"\b(?:en|de|du) (?:Français|Roumain|Anglais)\b"),
}
#: Romanian words that may follow a number without "de": months, prepositions, units.
NOT_COUNTED = {
    "ianuarie", "februarie", "martie", "aprilie", "mai", "iunie", "iulie", "august",
    "septembrie", "octombrie", "noiembrie", "decembrie", "ian", "feb", "mar", "apr", "iun",
    "iul", "aug", "sept", "oct", "nov", "dec", "la", "și", "sau", "din", "în", "pe", "până",
    "de", "a", "al", "ale",
}  # fmt: skip
ROMANIAN_RULES = {
    "cedilla instead of comma below": re.compile("[şţŞŢ]"),
    "English decimal point": re.compile(r"(?<![\w.])\d+\.\d{1,2}(?![\d.])"),
    "language name capitalized": re.compile(r"\b(?:în|din) (?:Franceză|Engleză|Română)\b"),
}
COUNT_AND_WORD = re.compile(r"(?<![\w.,\-])(\d{1,3}(?:\.\d{3})+|\d+) ([a-zăâîșț]+)")


def typography_slips(text: str, lang: str) -> list[str]:
    """Each rule ``text`` (what a reader sees) breaks in ``lang``, with where; addresses
    (links, emails) are not prose."""
    text = re.sub(r"https?://\S+", " ", text)
    rules = {**COMMON_RULES, **(FRENCH_RULES if lang == "fr" else ROMANIAN_RULES)}
    found = [
        f"{name}: …{text[max(0, m.start() - 30) : m.end() + 10]}…"
        for name, rule in rules.items()
        for m in rule.finditer(text)
    ]
    if lang == "ro":  # 20 and more (but 101-119…) take "de": "30 de zile", not "30 zile"
        for m in COUNT_AND_WORD.finditer(text):
            count, word = int(m[1].replace(".", "")), m[2]
            if word not in NOT_COUNTED and Locale("ro").plural_form(count) == "other":
                found.append(f"no “de” after {count}: …{text[max(0, m.start() - 30) : m.end()]}…")
    return found


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


@pytest.mark.parametrize("lang", ["fr", "ro"])
def test_every_page_follows_its_readers_typography(app, populated, lang):  # noqa: F811
    """Every page a customer or an admin reaches (the page-quality list), as rendered."""
    found: dict[str, list[str]] = {}
    customer = app.test_client()
    for template in CUSTOMER_PAGES:
        path = template.format(lang=lang, lang_cafe=lang, token=populated, reset=RESET_PATHS[-1])
        found[path] = seen_slips(customer.get(path), lang)
    manager = app.test_client()
    admin_log_in(manager, "maria", PAGE_PASSWORD, lang)
    for path in [*ADMIN_PAGES, *EMAIL_ITEMS]:
        response = manager.get(f"{path}{'&' if '?' in path else '?'}lang={lang}")
        assert response.status_code == 200, path
        found[path] = seen_slips(response, lang)
    bad = [f"{path}: {slip!r}" for path, slips in found.items() for slip in slips]
    assert bad == [], "\n".join(bad)


def seen_slips(response, lang: str) -> list[str]:
    """The typography slips of a page as its reader sees it."""
    return typography_slips(visible_text(response.get_data(as_text=True)), lang)


def email_texts(message) -> list[str]:
    """What a reader sees of an email: its subject, its plain text, its HTML's prose."""
    texts = [str(message["Subject"]), message.get_body(("plain",)).get_content()]
    html_part = message.get_body(("html",))
    if html_part is not None:
        texts.append(visible_text(html_part.get_content()))
    return texts


@pytest.mark.parametrize("lang", ["fr", "ro"])
def test_every_email_follows_its_readers_typography(db, loaded, populated, lang):  # noqa: F811
    """Invitations and reminders, the digest, the recovery survey and a password link."""
    cafe, saas = loaded["cafe"], loaded["saas-onboarding"]
    token = make_invitation(db, cafe, "meal", "C-typo", lang, "c@example.fr")
    invitation = storage.invitations.get_invitation(db, token)
    messages = [
        mailer.compose(invitation, cafe, base_url="https://s.example", sender="s@example.fr"),
        mailer.compose(
            invitation, cafe, base_url="https://s.example", sender="s@example.fr", reminder=True
        ),
    ]
    pains = digest.collect(db, locale=lang, base_url="https://s.example")
    messages.append(digest.compose(pains, locale=lang, sender="s@example.fr", to=["cx@x.fr"]))
    pain = next(r for r in followups(db, saas.id) if r["contact"])
    item = inbox.item(db, saas, pain["response_id"], lang)
    written = recovery.start(
        db, saas, {**item, "locale": lang}, to="c@x.fr", by="maria", base_url="https://s.example"
    )
    messages.append(
        customer_mail.compose_recovery(
            saas, written, locale=lang, base_url="https://s.example", sender="s@x", to="c@x"
        )
    )
    texts = [text for message in messages for text in email_texts(message)]
    texts += [
        i18n.translate(lang, users.RESET_SUBJECT),
        users.reset_body(lang, "ion", "https://s/r"),
    ]
    assert pains is not None
    bad = [slip for text in texts for slip in typography_slips(text, lang)]
    assert bad == [], "\n".join(bad)


@pytest.mark.parametrize(
    ("lang", "text", "rule"),
    [
        ("fr", "Mieux: +3", "no narrow space"),
        ("fr", "« Attente »", "inside « »"),
        ("fr", "1.9 pour 1", "English decimal point"),
        ("fr", "traduit en Français", "language name capitalized"),
        ("fr", "20000 liens", "thousands not grouped"),
        ("fr", "de -13 à -4", "hyphen for a minus"),
        ("ro", "față de cele 30 zile", "no “de” after 30"),
        ("ro", "Ştefan", "cedilla"),
        ("ro", "în Română", "language name capitalized"),
    ],
)
def test_the_typography_check_catches_each_slip(lang, text, rule):
    assert any(rule in slip for slip in typography_slips(text, lang)), text
    assert typography_slips("2\u202f127 moments, 7 déc. 2026 à 23:05, C-1042", "fr") == []
    assert typography_slips("30 de zile, 2.127 de momente, 19 zile, 26 nov. 2026", "ro") == []
