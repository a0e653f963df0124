"""Every page a customer or an admin can reach, in each language, passes axe-core
(WCAG 2.1 A and AA) in headless Chromium and the Nu HTML checker with no error."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import smtplib
import subprocess
from datetime import timedelta

import pytest

from surveyapp import settings, storage
from surveyapp.domain.themes import Theme
from surveyapp.services import accounts, apikeys, jobs, mailer, recovery, simulate, users
from surveyapp.workers import jobs as job_worker
from tests.helpers import ROOT, answers_living, followups, make_invitation, record_scored

pytestmark = [
    pytest.mark.browser,
    pytest.mark.sqlite_only,
]  # markup checked once: the engine does not change it
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PASSWORD = "correct horse battery"
RECOVERY_TOKEN = "recovery-link-of-the-test"
RESET_PATHS: list[str] = []  # the reset link populated makes
#: A mail server's refusal, as the sending worker keeps it.
REFUSED = mailer.describe_error(smtplib.SMTPRecipientsRefused({"c@x": (550, b"<no>")}))


@pytest.fixture
def populated(db, loaded, monkeypatch):
    """Responses, comments, follow-ups and an invitation, so every page has content; email
    set up, so that a follow-up's page shows its contact form."""
    monkeypatch.setenv("SURVEYAPP_MAIL_FROM", "surveys@saas.example")
    accounts.create(db, "maria", PASSWORD, "admin")
    saas = loaded["saas-onboarding"]
    for i, moment in enumerate(saas.moments * 5):
        polarity = ("positive", "neutral", "negative")[i % 3]
        response_id = record_scored(
            db,
            saas,
            moment.id,
            answers_living(saas, moment.id, polarity),
            locale=("fr", "ro", "en")[i % 3],
            channel="email",
            comment="Lent <b>mais</b> aimable" if i % 2 else None,
            customer=f"C-{i}",
        )
        if polarity == "negative" and i % 2:
            day = storage.utcnow().date().isoformat()
            tally = {"journey_id": saas.id, "moment_id": moment.id, "day": day}
            tally.update(locale=("fr", "ro", "en")[i % 3], channel="email")
            storage.followups.leave_contact(db, response_id, f"c-{i}@example.com", tally)
    # Comments enough for the café meal's terms of pain and glory.
    cafe = loaded["cafe"]
    for _ in range(15):
        for polarity, comment in (
            ("negative", "Une attente trop longue"),
            ("positive", "Un accueil chaleureux"),
        ):
            record_scored(db, cafe, "meal", answers_living(cafe, "meal", polarity), comment=comment)
    names = {"fr": "Attente", "ro": "Așteptare", "en": "Waiting"}
    words = {"fr": ["attente", "retard"], "ro": ["așteptare"], "en": ["wait"]}
    storage.themes.save_theme(db, "cafe", Theme(None, names, words), by="maria")
    now = storage.utcnow()
    # A second version of the café, so that its versions page shows what changed.
    storage.journeys.store_journeys(
        db, [dataclasses.replace(loaded["cafe"], brand="Café des Arts · Centre")], author="maria"
    )
    # A resolved pain whose customer has the recovery survey: its page, and the
    # dashboard's recovery figures.
    (pain,) = [r for r in followups(db, saas.id) if r["contact"]][:1]
    storage.followups.update_followup(db, pain["response_id"], by="maria", status="resolved")
    storage.recoveries.start_recovery(
        db,
        {**pain, "journey_id": saas.id},
        token_hash=recovery.token_hash(RECOVERY_TOKEN),
        email=pain["contact"],
        by="maria",
        expires_at=storage.iso(storage.utcnow() + timedelta(days=30)),
    )
    # Emails to two customers: one failed once (tried again soon), one set aside.
    EMAIL_ITEMS.clear()
    for item in [r for r in followups(db, saas.id) if r["contact"]][1:3]:
        storage.customer_emails.queue(
            db,
            response_id=item["response_id"],
            kind="contact",
            to=item["contact"],
            subject="Votre <b>visite</b>",
            body="Bonjour",
            locale="fr",
            by="maria",
            now=now,
        )
        (taken,) = storage.customer_emails.take(db, now, limit=1, attempts=5)
        again = None if EMAIL_ITEMS else now + timedelta(minutes=5)
        storage.customer_emails.failed(
            db, taken["id"], error=REFUSED.stored(), now=now, again=again
        )
        EMAIL_ITEMS.append(f"/admin/j/{saas.id}/followups/{item['response_id']}")
    # A customer who asked to be called back: the call form instead of an email draft.
    phoned = [r for r in followups(db, saas.id) if not r["contact"]][0]
    day = storage.utcnow().date().isoformat()
    tally = {"journey_id": saas.id, "moment_id": phoned["moment_id"], "day": day}
    tally.update(locale=phoned["locale"], channel="email")
    storage.followups.leave_contact(db, phoned["response_id"], "+33 6 12 34 56 78", tally)
    EMAIL_ITEMS.append(f"/admin/j/{saas.id}/followups/{phoned['response_id']}")
    # A password-reset link for a second account (its page), and the audit log's entries.
    users.create(
        db,
        username="ion",
        email="ion@example.ro",
        role="viewer",
        journeys=["cafe"],
        known_journeys=["cafe"],
        by="maria",
    )
    link = users.reset_link(
        db, storage.accounts.get_user(db, username="ion"), base_url="", by="maria"
    )
    RESET_PATHS.append(link)
    # A retention window: the dashboard and the insights say what they cover.
    storage.retention.set_window(db, saas.id, 365, "delete", by="maria")
    # A webhook with a delivery in its log.
    endpoint = storage.webhooks.add_webhook(
        db,
        saas.id,
        "https://hooks.slack.example/services/T0/B0/X",
        "whsec_x",
        ["response.negative", "moment.pain_share_exceeded"],
        format="slack",
        pain_threshold=30,
    )
    storage.webhooks.queue_test(db, endpoint, {"journey": saas.id})
    # Background workers, one of them late with an error (the background work page).
    for name, beat_at, error in (
        ("webhooks", now, None),
        ("digest", now - timedelta(hours=1), "x"),
    ):
        storage.heartbeats.beat(
            db,
            node="web-1",
            name=name,
            pid=1,
            started_at=now,
            every_seconds=60,
            now=beat_at,
            error=error,
        )
    apikeys.create(db, "crm")
    # The journey's digest, set aside after its last attempt (the inbox says so).
    storage.inbox.set_journey_digest(
        db, saas.id, to=["cs@nimbus.example"], locale="en", every="daily", by="maria"
    )
    storage.digests.record_failure(
        db, f"journey:{saas.id}", error=REFUSED.stored(), now=now, retry_at=lambda n: None
    )
    # Exports: one waiting its turn, one running, one ready, one set aside (their pages).
    for order, job_id in enumerate(JOBS):
        storage.jobs.create(
            db,
            job_id=job_id,
            kind="export_responses",
            journey_id="cafe",
            user_id=None,
            locale="fr",
            params={"format": "xlsx", "filters": {}},
            now=now + timedelta(microseconds=order),  # taken in this order
        )
    storage.jobs.take(db, now)
    storage.jobs.progress(db, JOBS[0], done=1234, total=5000, now=now)
    storage.jobs.take(db, now)
    storage.jobs.store_output(db, JOBS[1], [b"PK"])
    storage.jobs.finish(
        db,
        JOBS[1],
        result={"file": "cafe-responses.xlsx", "mimetype": "x", "size": 2},
        done=2,
        now=now,
    )
    storage.jobs.take(db, now)
    storage.jobs.fail(
        db, JOBS[2], error=jobs.reason_of(OSError("disk full")).stored(), retry_at=None, now=now
    )
    # Enough linked customers for the insights page to label moments and draw its chart.
    simulate.run(db, saas, customers=1500, seed=2)
    return make_invitation(db, loaded["cafe"])


CUSTOMER_PAGES = [
    "/?lang={lang}",
    "/j/saas-onboarding/recommendation?lang={lang}",
    "/j/saas-onboarding/support-ticket?lang={lang}",
    "/j/saas-onboarding/delivery?lang={lang}",
    "/j/saas-onboarding/first-visit/thanks?lang={lang}",
    "/j/nowhere/at-all?lang={lang}",
    "/s/{token}?a=negative&lang={lang_cafe}",
    "/u/{token}?lang={lang_cafe}",
    "/s/AAAAAAAAAAAAAAAAAAAAAA?lang={lang}",
    f"/r/{RECOVERY_TOKEN}?lang={{lang}}",
    "{reset}?lang={lang}",
]
EMAIL_ITEMS: list[str] = []  # items with emails not sent yet or a phone, from the fixture
JOBS = ["page-quality-running", "page-quality-ready", "page-quality-failed", "page-quality-wait"]
ADMIN_PAGES = [
    "/admin/",
    "/admin/j/saas-onboarding",
    "/admin/j/saas-onboarding/m/billing/comments",
    "/admin/j/cafe/m/meal/comments",
    "/admin/j/cafe/m/meal/comments?q=attentes",  # a search's results alone
    "/admin/j/cafe/themes",
    "/admin/j/cafe/themes/1",
    "/admin/j/saas-onboarding/followups",
    "/admin/j/saas-onboarding/followups?status=unresolved&age=168&owner=-&q=e&sort=due",
    "/admin/j/saas-onboarding/preview/recommendation",
    "/admin/j/saas-onboarding/insights",
    "/admin/j/cafe/m/meal/invite",
    "/admin/j/cafe/m/meal/invitations",
    "/admin/j/cafe/m/meal/invitations?state=skipped",
    "/admin/j/cafe/versions",
    "/admin/j/cafe/versions?v=2",
    "/admin/new-journey",
    "/admin/new-journey?from=cafe",
    "/admin/j/cafe/edit",
    "/admin/editor-preview",
    "/admin/users",
    "/admin/audit",
    "/admin/integrations",
    "/admin/customers",
    "/admin/j/saas-onboarding/retention",
    "/admin/integrations/webhooks/1",
    "/admin/workers",
    "/admin/forgot",
    "/admin/forgot?sent=1",
    *(f"/admin/jobs/{job_id}" for job_id in JOBS),
]


# A form posted back is awaited with expect_navigation (its response, and the new page
# loaded), never expect_response alone: the response can arrive before the page that
# shows it, and a page read then is empty.


def check_axe(page, url) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG
    )
    return [
        f"{url}: {v['id']}: {v['help']} ({len(v['nodes'])}x: {v['nodes'][0]['target']})"
        for v in result["violations"]
    ]


class Pages:
    """One browser visiting pages of the live server: what axe-core found on each, and
    each page's source for the Nu HTML checker."""

    def __init__(self, browser, live_server):
        self.live_server = live_server
        self.context = browser.new_context(bypass_csp=True)  # axe is injected inline
        self.page = self.context.new_page()
        self.violations: list[str] = []
        self.sources: dict[str, str] = {}

    def visit(self, url):
        response = self.page.goto(self.live_server + url)
        # A fresh connection each time: one kept alive may be closed by the server (its 2 s
        # keep-alive) just as the next request goes out on it.
        source = self.context.request.get(self.live_server + url, headers={"Connection": "close"})
        self.sources[url] = source.text()
        self.violations.extend(check_axe(self.page, url))
        return response

    def keep(self, label):
        """The page as it is now (after a click), checked and kept for the Nu checker."""
        self.sources[label] = self.page.content()
        self.violations.extend(check_axe(self.page, label))

    def check(self, tmp_path):
        """No axe violation, then no Nu HTML checker error, on every page kept."""
        self.context.close()
        assert self.violations == [], "\n".join(self.violations)
        assert_valid_html(self.sources, tmp_path)


@pytest.fixture
def pages(browser, populated, live_server):
    assert AXE.exists() and VNU.exists(), "run `npm ci` (python3 dev.py test does)"
    return Pages(browser, live_server)


# Split by part and language so that pytest-xdist spreads them over both cores.
@pytest.mark.parametrize("lang", ["fr", "ro", "en"])
def test_customer_pages_pass_axe_and_the_nu_html_checker(pages, populated, tmp_path, lang):
    token, page, live_server, sources, violations = (
        populated,
        pages.page,
        pages.live_server,
        pages.sources,
        pages.violations,
    )
    visit = pages.visit
    lang_cafe = lang if lang != "en" else "fr"
    for template in CUSTOMER_PAGES:
        visit(template.format(lang=lang, lang_cafe=lang_cafe, token=token, reset=RESET_PATHS[-1]))
    # a survey sent back with an answer missing: errors next to the fields
    page.goto(f"{live_server}/j/saas-onboarding/reviews?lang={lang}")
    with page.expect_navigation() as posted:
        page.locator("#survey > button[type=submit]").last.click()
    assert posted.value.status == 422
    sources[f"errors-{lang}"] = posted.value.text()
    violations.extend(check_axe(page, f"reviews with errors ({lang})"))
    pages.check(tmp_path)


def test_next_steps_and_the_recovery_survey_pass_axe_and_the_nu_html_checker(pages, tmp_path):
    page, live_server, context = pages.page, pages.live_server, pages.context
    # The thank-you pages' next steps: a review invitation after a good answer, the
    # contact form after a bad one, and that form sent back with its errors.
    for lang, moment in (("fr", "welcome"), ("ro", "meal")):
        for polarity in ("positive", "negative"):
            page.goto(f"{live_server}/j/cafe/{moment}?lang={lang}")
            page.locator(f"input[value={polarity}]").first.check()
            page.locator("#survey > button[type=submit]").last.click()
            page.wait_for_url("**/thanks?*")
            label = f"thanks after a {polarity} answer ({lang})"
            pages.keep(label)
            if polarity == "negative":
                page.locator(".next-step button").click()
                page.wait_for_load_state()
                pages.keep(f"contact errors ({lang})")
            context.clear_cookies()  # public links take one answer a day per browser

    # The recovery survey sent back without an answer, then answered: its thank-you page.
    page.goto(f"{live_server}/r/{RECOVERY_TOKEN}?lang=ro")
    with page.expect_navigation() as posted:
        page.locator("#survey button[type=submit]").click()
    assert posted.value.status == 422
    pages.keep("recovery without an answer")
    page.locator("input[value=partly]").check()
    page.locator("#survey button[type=submit]").click()
    page.wait_for_url("**/thanks?*")
    pages.keep("recovery thanks")
    pages.check(tmp_path)


@pytest.mark.parametrize("lang", ["fr", "ro", "en"])
def test_admin_pages_pass_axe_and_the_nu_html_checker(pages, tmp_path, lang):
    page, live_server, sources = pages.page, pages.live_server, pages.sources
    visit = pages.visit
    visit("/admin/login?lang=ro")
    page.fill("#username", "maria")
    page.fill("#password", PASSWORD)
    page.locator("main button").click()
    for path in [*ADMIN_PAGES, *EMAIL_ITEMS]:
        assert visit(f"{path}{'&' if '?' in path else '?'}lang={lang}").status == 200, path
    # a CSV with a bad row, refused with its line; then its good rows invited
    customers = tmp_path / "customers.csv"
    customers.write_text("customer;email;locale\nC-1;ana@example.ro;ro\nC-2;nope;fr\n")
    for skip in (False, True):
        page.goto(f"{live_server}/admin/j/cafe/m/meal/invite?lang={lang}")
        page.set_input_files("#customers", str(customers))
        page.set_checked("#skip_invalid", skip)
        with page.expect_navigation() as posted:
            page.locator("#invite button[type=submit]").click()
        assert posted.value.status == 200  # the import's page, waiting for the worker
        pages.keep(f"import waiting ({lang})")
        config = settings.load_settings()
        with storage.open_database(config["DATABASE"]) as db:
            job_worker.run_due(db, config)  # this import, and the fixture's waiting export
        page.reload()
        assert page.locator("#job .success, #job .notice").count() >= 1  # what it made
        label = f"import, {'skipping' if skip else 'refusing'} a bad row ({lang})"
        pages.keep(label)
    # one customer invited from the form: their link shown
    page.goto(f"{live_server}/admin/j/cafe/m/meal/invite?lang={lang}")
    page.fill("#one-customer", f"ONE-{lang}")
    with page.expect_navigation() as posted:
        page.locator("#invite-one button[type=submit]").click()
    assert posted.value.status == 200 and page.locator("main code.link").count() == 1
    pages.keep(f"one customer invited ({lang})")
    # a file whose columns are named in words we do not know: the question, then the
    # invite page that remembers the answer
    crm = tmp_path / "crm.csv"
    crm.write_text("Réf.;Courriel\nX-1;x@example.fr\n", encoding="utf-8")
    page.goto(f"{live_server}/admin/j/cafe/m/meal/invite?lang={lang}")
    page.set_input_files("#customers", str(crm))
    with page.expect_navigation() as posted:
        page.locator("#invite button[type=submit]").click()
    assert posted.value.status == 200 and page.locator("#columns select").count() == 3
    pages.keep(f"columns asked ({lang})")
    page.evaluate("document.querySelector('#customer').removeAttribute('required')")
    with page.expect_navigation() as posted:
        page.locator("#columns button[type=submit]").click()  # no customer column chosen
    assert posted.value.status == 422
    pages.keep(f"columns refused ({lang})")
    page.select_option("#customer", "Réf.")
    with page.expect_navigation() as posted:
        page.locator("#columns button[type=submit]").click()
    assert posted.value.status == 200
    assert visit(f"/admin/j/cafe/m/meal/invite?lang={lang}").status == 200
    assert page.locator("#saved-columns li").count() == 2
    # the inbox: a bulk action with nothing ticked; an item, assigned, with its history
    page.goto(f"{live_server}/admin/j/saas-onboarding/followups?lang={lang}")
    with page.expect_navigation() as posted:
        page.locator("#bulk button[type=submit]").click()
    assert posted.value.status == 422
    pages.keep(f"inbox, nothing ticked ({lang})")
    page.goto(f"{live_server}/admin/j/saas-onboarding/followups?lang={lang}")
    item = page.locator("table.inbox tbody th a").nth(["fr", "ro", "en"].index(lang))
    item = item.get_attribute("href")
    page.goto(f"{live_server}{item}?lang={lang}")
    page.locator("button[name=assign_me]").click()
    page.wait_for_load_state()
    visit(f"{item}?lang={lang}")
    # an item whose customer left an email: the contact form, sent back empty
    page.goto(f"{live_server}/admin/j/saas-onboarding/followups?q=example.com&lang={lang}")
    page.locator("table.inbox tbody th a").first.click()
    page.fill("#body", "")
    page.evaluate("document.querySelector('#body').removeAttribute('required')")
    with page.expect_navigation() as posted:
        page.locator("#contact button[type=submit]").click()
    assert posted.value.status == 422
    pages.keep(f"contact form refused ({lang})")
    # the insights table fits a 1280 px screen, and scrolls by itself on a phone
    widths = {}
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server}/admin/j/saas-onboarding/insights?lang={lang}")
        widths[width] = page.evaluate(
            "() => { const wrap = document.querySelector('.table-wrap');"
            " return [wrap.scrollWidth, wrap.clientWidth, document.body.scrollWidth,"
            " window.innerWidth]; }"
        )
    page.set_viewport_size({"width": 1280, "height": 900})
    table, region, body, screen = widths[1280]
    assert table <= region and body <= screen, widths  # the whole table, no scrolling
    _, _, body, screen = widths[360]
    assert body <= screen, widths  # the page fits; the table scrolls in its region
    # a destructive action asks first, on its own page (revoking the crm key)
    page.goto(f"{live_server}/admin/integrations?lang={lang}")
    with page.expect_navigation() as posted:
        page.locator("main button.danger").first.click()
    assert posted.value.status == 200 and page.locator("#confirm button.danger").count() == 1
    pages.keep(f"confirmation ({lang})")
    # the editor: a text missing in Romanian, then problems, then a refused publication
    page.goto(f"{live_server}/admin/j/cafe/edit?lang={lang}")
    page.fill("#moments-2-name_ro", "")
    for label, button, status in (
        ("missing", "check", 200),
        ("incomplete", "publish", 422),
        ("problems", "check", 422),
    ):
        if label == "problems":
            page.fill("#brand", "")
        with page.expect_navigation() as posted:
            page.locator(f"main .publish button[value={button}]").click()
        assert posted.value.status == status, label
        pages.keep(f"editor, {label} ({lang})")
    page.fill("#brand", "Café des Arts")
    with page.expect_response(lambda r: "editor-preview" in r.url) as posted:
        page.locator("#moment-2 .preview-buttons button").nth(1).click()
    sources[f"editor preview ({lang})"] = posted.value.text()
    pages.check(tmp_path)


def assert_valid_html(sources: dict[str, str], tmp_path) -> None:
    """The Nu HTML checker finds no error in any of these pages."""
    files = []
    for index, (url, html) in enumerate(sources.items()):
        path = tmp_path / f"page-{index}.html"
        path.write_text(html, encoding="utf-8")
        files.append((str(path), url))
    java = shutil.which("java")
    assert java, "the Nu HTML checker needs Java (Debian: default-jre-headless)"
    result = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", *[f for f, _ in files]],
        capture_output=True,
        text=True,
    )
    names = dict(files)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [
        f"{names.get(re.sub('^file:', '', m.get('url', '')), m.get('url'))}: "
        f"line {m.get('lastLine')}: {m['message']}"
        for m in messages
    ]
    assert errors == [], "\n".join(errors)
