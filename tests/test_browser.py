"""What a customer sees, in headless Chromium against a real gunicorn server."""

from __future__ import annotations

import http.server
import json
import os
import re
import subprocess
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect

from surveyapp import settings, storage
from surveyapp.workers import jobs as job_worker
from tests.helpers import SURVEYAPP, followups, log_in_in_french, start_gunicorn, stop_server

pytestmark = pytest.mark.browser


def test_a_romanian_customer_answers_on_a_phone_and_the_answer_is_counted(
    browser, live_server, instance, tmp_path
):
    context = browser.new_context(
        locale="ro-RO", viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    page = context.new_page()
    page.goto(f"{live_server}/j/cafe/meal")
    assert page.locator("html").get_attribute("lang") == "ro"
    assert page.locator("h1").inner_text() == "Masa dumneavoastră"

    page.get_by_label("Rău").check()
    page.get_by_label("Nemulțumit", exact=True).check()
    page.get_by_label("De ce? Spuneți-ne în câteva cuvinte.").fill("Supa a venit rece.")
    page.screenshot(path=str(tmp_path / "survey-ro.png"), full_page=True)
    page.get_by_role("button", name="Trimite răspunsurile").click()

    expect(page.locator("h1")).to_have_text("Vă mulțumim!")
    assert "„Masa dumneavoastră” a fost înregistrat" in page.content()
    context.close()

    result = subprocess.run(
        [SURVEYAPP, "scores", "cafe", "--format", "json"],
        capture_output=True,
        text=True,
        env=os.environ,
        check=True,
    )
    meal = next(m for m in json.loads(result.stdout)["moments"] if m["id"] == "meal")
    assert (meal["responses"], meal["negative"], meal["csat_mean"]) == (1, 1, 2.0)


def test_a_forgotten_answer_is_pointed_out_in_the_customers_language(browser, live_server):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.goto(f"{live_server}/j/saas-onboarding/recommendation")
    page.get_by_role("button", name="Envoyer mes réponses").click()
    alert = page.get_by_role("alert")
    assert "Certaines réponses demandent votre attention" in alert.inner_text()
    alert.get_by_role("link").click()
    assert page.url.endswith("#q-recommend")
    expect(page.locator("#recommend-error")).to_have_text("Ce champ est requis.")
    context.close()


def one_click_link(message, label):
    html = message.get_body(("html",)).get_content()
    return re.search(rf'href="([^"]+)"[^>]*>{label}</a>', html).group(1)


def meal_scores():
    result = subprocess.run(
        [SURVEYAPP, "scores", "cafe", "--format", "json"],
        capture_output=True,
        text=True,
        env=os.environ,
        check=True,
    )
    return next(m for m in json.loads(result.stdout)["moments"] if m["id"] == "meal")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_customer_follows_the_emailed_link_in_romanian(
    browser, live_server, smtp_server, monkeypatch, javascript
):
    monkeypatch.setenv("SURVEYAPP_BASE_URL", live_server)
    subprocess.run(
        [
            SURVEYAPP,
            "invite",
            "cafe",
            "meal",
            "--customer",
            "C-1042",
            "--email",
            "ana@example.ro",
            "--locale",
            "ro",
            "--send",
        ],
        env=os.environ,
        check=True,
        capture_output=True,
    )
    (message,) = smtp_server.to("ana@example.ro")
    assert message["Subject"] == "Café des Arts vă întreabă: cum a fost „Masa dumneavoastră”?"
    link = one_click_link(message, "Rău")
    assert link.startswith(f"{live_server}/s/") and link.endswith("?a=negative")

    context = browser.new_context(locale="fr-FR", java_script_enabled=javascript)
    page = context.new_page()
    page.goto(link)
    assert page.locator("html").get_attribute("lang") == "ro"  # the invitation's language
    assert page.get_by_label("Rău").is_checked()
    if javascript:
        with page.expect_response(lambda r: r.url.endswith("/first")) as recorded:
            page.mouse.move(100, 200)  # a person is here: the one-click answer is recorded
        assert recorded.value.status == 204
        assert (meal_scores()["responses"], meal_scores()["negative"]) == (1, 1)
    else:
        assert meal_scores()["responses"] == 0  # opening the link recorded nothing

    page.get_by_label("Nemulțumit", exact=True).check()
    page.get_by_label("De ce? Spuneți-ne în câteva cuvinte.").fill("Am așteptat 40 de minute.")
    page.get_by_role("button", name="Trimite răspunsurile").click()
    expect(page.locator("h1")).to_have_text("Vă mulțumim!")
    page.goto(link)
    assert page.locator("h1").inner_text() == "Ați răspuns deja"
    context.close()

    meal = meal_scores()
    assert (meal["responses"], meal["negative"], meal["csat_mean"]) == (1, 1, 2.0)


def test_a_cx_manager_finds_the_pain_resolves_it_and_exports(
    browser, live_server, db, tmp_path, answer, journeys_dir
):
    from surveyapp.services import accounts

    accounts.create(db, "maria", "correct horse battery", "admin")
    context = browser.new_context(locale="fr-FR", accept_downloads=True)
    page = context.new_page()
    log_in_in_french(page, f"{live_server}/admin/")
    expect(page.locator("h1")).to_have_text("Parcours")

    journey = tmp_path / "boulangerie.yaml"
    journey.write_text(
        "id: boulangerie\nbrand: Boulangerie Ana\ndefault_locale: ro\nlocales: [ro, fr]\n"
        "moments:\n  - {id: queue, kind: touchpoint, name: {ro: Coada, fr: La file}}\n"
        "  - {id: bread, kind: smot, name: {ro: Pâinea, fr: Le pain}}\n"
    )
    page.get_by_label("Définition du parcours (YAML ou JSON)").set_input_files(str(journey))
    page.get_by_role("button", name="Charger").click()
    assert "Parcours boulangerie créé." in page.get_by_role("status").inner_text()

    for polarity, why in (
        ("positive", "Rapid"),
        ("negative", "Am așteptat 20 de minute"),
        ("positive", ""),
    ):
        customer = browser.new_context(locale="ro-RO")
        survey = customer.new_page()
        survey.goto(f"{live_server}/j/boulangerie/queue")
        survey.get_by_label({"positive": "Bine", "negative": "Rău"}[polarity]).check()
        if why:
            survey.get_by_label("De ce? Spuneți-ne în câteva cuvinte.").fill(why)
        survey.get_by_role("button", name="Trimite răspunsurile").click()
        # With JavaScript the page may first wait for its presence POST: wait for the page.
        expect(survey.locator("h1")).to_have_text("Vă mulțumim!")
        customer.close()

    page.get_by_role("link", name="boulangerie", exact=True).click()
    row = page.locator("tr", has_text="La file")
    # all_inner_texts does not wait: wait for the dashboard's row before reading it.
    expect(row.locator("td").first).to_be_visible()
    cells = row.locator("td").all_inner_texts()
    assert cells[1] == "3" and cells[2].startswith("66,7") and cells[4].startswith("33,3")
    assert row.locator("svg.bar").count() == 1

    row.get_by_role("link", name="Ce que disent les clients").click()
    expect(page.get_by_text("Am așteptat 20 de minute")).to_be_visible()

    page.goto(f"{live_server}/admin/j/boulangerie/followups?status=open")
    page.locator("table.inbox tbody th a").first.click()
    page.get_by_role("combobox", name="Statut").select_option("resolved")
    page.get_by_label("Note", exact=True).fill("Rappelée, excuses faites")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("ol.history").get_by_text("Rappelée, excuses faites")).to_be_visible()
    page.goto(f"{live_server}/admin/j/boulangerie/followups?status=resolved")
    expect(page.get_by_text("1 élément", exact=True)).to_be_visible()

    page.goto(f"{live_server}/admin/j/boulangerie")
    page.get_by_role("button", name="CSV avec points-virgules (Excel français ou roumain)").click()
    page.wait_for_url("**/admin/jobs/*")
    with storage.open_database(settings.load_settings()["DATABASE"]) as worker_db:
        job_worker.run_due(worker_db, settings.load_settings())  # what serve's worker does
    link = page.get_by_role("link", name=re.compile("^Télécharger boulangerie-responses"))
    expect(link).to_be_visible(timeout=30_000)  # the page follows the job by itself
    with page.expect_download() as download:
        link.click()
    content = Path(download.value.path()).read_bytes().decode("utf-8")
    assert content.startswith("\ufeffRéponse;Date et heure (UTC);Parcours;Moment;")
    assert "Am așteptat 20 de minute" in content
    context.close()


def test_a_customer_answers_a_survey_framed_by_the_companys_own_site(browser, instance, loaded, db):
    # localhost and 127.0.0.1 are different sites: the frame is cross-site, as a survey
    # service framed by www.<company> is. Chromium takes Secure cookies from localhost.
    survey = {}  # where the survey server listens, once it does

    class CompanySite(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            company_page = (
                f'<!doctype html><title>Café</title><iframe src="{survey["url"]}" '
                'title="Survey"></iframe>'
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(company_page)))
            self.end_headers()
            self.wfile.write(company_page)

        def log_message(self, *args):
            pass

    company = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CompanySite)
    threading.Thread(target=company.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{company.server_port}"
    server, survey_port = start_gunicorn(
        SURVEYAPP_BASE_URL="https://localhost:{port}",
        SURVEYAPP_EMBED_ORIGINS=json.dumps([site]),
    )
    survey["url"] = f"http://localhost:{survey_port}/j/cafe/meal?lang=ro"
    context = browser.new_context(locale="ro-RO")
    try:
        page = context.new_page()
        page.goto(site)
        frame = page.frame_locator("iframe")
        frame.get_by_label("Rău").check()
        frame.get_by_role("button", name="Trimite răspunsurile").click()
        expect(frame.locator("h1")).to_have_text("Vă mulțumim!")  # waits for the page
        # The answer's mark reaches the framed thank-you page (a partitioned cookie, as
        # the CSRF secret): the unhappy customer is offered contact, and leaves one.
        expect(frame.get_by_role("heading", name="Doriți să vă contactăm?")).to_be_visible()
        frame.get_by_label("E-mail sau telefon").fill("ana@example.com")
        frame.get_by_label("Sunt de acord").check()
        frame.get_by_role("button", name="Cer să fiu contactat").click()
        expect(frame.get_by_text("ana@example.com")).to_have_count(0)  # back on the thanks
        expect(frame.get_by_role("button", name="Cer să fiu contactat")).to_have_count(0)
        # And the framed survey remembers it was answered today.
        page.goto(site)
        expect(page.frame_locator("iframe").locator("h1")).to_have_text(
            "Ați răspuns deja astăzi la acest chestionar"
        )
    finally:
        context.close()
        stop_server(server)
        company.shutdown()
    assert storage.responses.count_responses(db) == 1
    assert followups(db, "cafe")[0]["contact"] == "ana@example.com"


def test_a_manager_creates_a_journey_invites_from_a_spreadsheet_and_follows_the_answer(
    browser, smtp_server, instance, loaded, db, tmp_path
):
    """In French: a two-moment journey made in the editor, warned of its missing Romanian
    name, which the live preview then shows; a CSV with a bad row refused, then sent
    without it through the sending worker `surveyapp serve` runs; the Romanian customer
    answers from the email; the manager sees the invitation answered and the rate."""
    import time

    from surveyapp.services import accounts
    from tests.helpers import start_serve

    accounts.create(db, "maria", "correct horse battery", "admin")
    server, port = start_serve("--workers", "2")
    base = f"http://127.0.0.1:{port}"
    try:
        context = browser.new_context(locale="fr-FR")
        page = context.new_page()
        log_in_in_french(page, f"{base}/admin/")

        page.get_by_role("link", name="Créer un parcours").click()
        page.get_by_label("Identifiant du parcours").fill("bistro")
        page.get_by_label("Marque, telle que les clients la lisent").fill("Le Bistrot")
        page.get_by_role("checkbox", name="Română").check()  # its fields appear (JavaScript)
        first = page.locator("#moment-0")
        first.get_by_label("Nom en français").fill("L’accueil")
        first.get_by_label("Nom en roumain").fill("Primirea")
        first.get_by_label("Identifiant").fill("welcome")
        first.get_by_label("Type de moment").select_option("fmot")
        assert "premier regard" in first.locator(".kind-explanation").inner_text()
        page.get_by_role("button", name="Ajouter un moment").click()
        second = page.locator("#moment-1")
        second.get_by_label("Nom en français").fill("Le repas")
        second.get_by_label("Identifiant").fill("meal")
        second.get_by_label("Type de moment").select_option("smot")
        page.get_by_role("button", name="Publier").click()
        alert = page.get_by_role("alert").inner_text()
        assert "Non publié\u202f: 1 texte manque dans une langue" in alert
        assert "Moment 2, nom en roumain\u202f: " in alert
        warning = second.locator(".warning").inner_text()
        said = "Les clients qui lisent cette langue liront «\u202fLe repas\u202f» à la place."
        assert warning == said

        # The live preview follows what is typed, in Romanian.
        second.get_by_role("button", name="Română").click()
        preview = page.frame_locator("iframe[name=preview]")
        expect(preview.locator("h1")).to_have_text("Le repas")
        second.get_by_label("Nom en roumain").fill("Masa")  # debounced, then posted
        expect(preview.locator("h1")).to_have_text("Masa", timeout=30_000)
        page.get_by_role("button", name="Publier").click()
        expect(page.get_by_role("status").first).to_contain_text("La version 1 est publiée")

        page.goto(f"{base}/admin/j/bistro")
        page.locator("tr", has_text="Le repas").get_by_role(
            "link", name="Inviter des clients"
        ).click()
        customers = tmp_path / "clients.csv"
        customers.write_bytes(
            "customer;email;locale\r\nC-1;ana@example.ro;ro\r\nC-2;pas-un-email;fr\r\n"
            "C-3;;fr\r\n".encode("utf-8-sig")
        )
        invite_page = page.url
        page.get_by_label("Clients (CSV : client, e-mail, langue)").set_input_files(str(customers))
        page.get_by_role("button", name="Inviter", exact=True).click()
        # The import's page follows the jobs worker, then says what it made.
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text("rien n’a été créé", timeout=30_000)
        assert "ligne 3" in alert.inner_text()

        page.goto(invite_page)
        page.get_by_label("Clients (CSV : client, e-mail, langue)").set_input_files(str(customers))
        page.get_by_label("Ignorer les lignes non valides et inviter les autres").check()
        assert page.get_by_label("Envoyer les invitations par e-mail maintenant").is_checked()
        page.get_by_role("button", name="Inviter", exact=True).click()
        status = page.get_by_role("status").filter(has_text="liens personnels")
        expect(status).to_contain_text("2 liens personnels créés.", timeout=30_000)
        assert "1 invitation est en cours" in status.inner_text()

        deadline = time.monotonic() + 20  # the sending worker takes the queue every 2 s
        while not smtp_server.to("ana@example.ro") and time.monotonic() < deadline:
            time.sleep(0.2)
        (message,) = smtp_server.to("ana@example.ro")
        assert message["Subject"] == "Le Bistrot vă întreabă: cum a fost „Masa”?"

        customer = browser.new_context(locale="ro-RO")
        survey = customer.new_page()
        survey.goto(one_click_link(message, "Bine"))
        survey.get_by_label("Foarte mulțumit").check()
        survey.get_by_role("button", name="Trimite răspunsurile").click()
        # With JavaScript the page may first wait for its presence POST: wait for the page.
        expect(survey.locator("h1")).to_have_text("Vă mulțumim!")
        customer.close()

        page.get_by_role("link", name="Voir les invitations de ce moment").click()
        page.get_by_role("link", name="Répondue").click()
        row = page.locator("tbody tr")
        expect(row).to_have_count(1)  # waits for the filtered list; count() would not
        assert "C-1" in row.inner_text()
        page.goto(f"{base}/admin/j/bistro")
        rates = page.get_by_role("region", name="Invitations et taux de réponse")
        assert "50,0" in rates.locator("tr", has_text="Le repas").inner_text()
        journey_map = page.get_by_role("region", name="Carte du parcours")
        cells = journey_map.locator("tr", has_text="Le repas").locator("td").all_inner_texts()
        assert cells[1] == "1" and cells[2].startswith("100,0")  # the answer, counted
        context.close()
    finally:
        stop_server(server)


def _editor_without_its_script(browser, live_server, db):
    """maria's new-journey page in French, editor.js held back (it has not come yet)."""
    from surveyapp.services import accounts

    accounts.create(db, "maria", "correct horse battery", "admin")
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    log_in_in_french(page, f"{live_server}/admin/")
    page.route("**/editor.js", lambda route: route.abort())
    page.goto(f"{live_server}/admin/new-journey")
    return context, page


def _let_the_script_arrive(page, live_server) -> None:
    page.unroute("**/editor.js")
    page.add_script_tag(url=f"{live_server}/static/editor.js")


@pytest.mark.sqlite_only  # the page's script, the same on either engine
def test_a_language_ticked_or_a_kind_chosen_before_the_editors_script_runs_still_shows(
    browser, live_server, db
):
    """A quick hand (or a slow phone) ticks a language while editor.js is still on its way:
    once it runs, the language's fields are shown, as if ticked after."""
    context, page = _editor_without_its_script(browser, live_server, db)
    page.get_by_role("checkbox", name="Română").check()
    page.locator("#moment-0").get_by_label("Type de moment").select_option("amot")
    romanian = page.locator("#moment-0").get_by_label("Nom en roumain")
    assert not romanian.is_visible()
    _let_the_script_arrive(page, live_server)
    expect(romanian).to_be_visible()
    explained = page.locator("#moment-0 .kind-explanation")
    expect(explained).to_have_text(
        "Entre l’achat et la réception\u202f: confirmation, livraison, attente."
    )
    context.close()


@pytest.mark.sqlite_only  # the page's script, the same on either engine
def test_a_preview_asked_for_before_the_editors_script_runs_still_follows_the_typing(
    browser, live_server, db
):
    """The preview shown when editor.js arrives (asked for before, or by the page posted
    back) is the one that follows what is typed next."""
    context, page = _editor_without_its_script(browser, live_server, db)
    page.get_by_label("Marque, telle que les clients la lisent").fill("Le Bistrot")
    first = page.locator("#moment-0")
    first.get_by_label("Nom en français").fill("L’accueil")
    first.get_by_role("button", name="Français").click()  # posted to the frame, no script
    preview = page.frame_locator("iframe[name=preview]")
    expect(preview.locator("h1")).to_have_text("L’accueil")
    _let_the_script_arrive(page, live_server)
    first.get_by_label("Nom en français").fill("La bienvenue")
    expect(preview.locator("h1")).to_have_text("La bienvenue", timeout=30_000)
    context.close()


def test_the_journey_editor_works_without_javascript(browser, live_server, db):
    """Every button posts the page back: languages, a new moment, the preview in its
    frame and publishing all work with JavaScript turned off."""
    from surveyapp.services import accounts

    accounts.create(db, "maria", "correct horse battery", "admin")
    context = browser.new_context(locale="ro-RO", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/admin/new-journey")
    page.get_by_label("Nume de utilizator").fill("maria")
    page.get_by_label("Parolă").fill("correct horse battery")
    page.get_by_role("button", name="Autentificare").click()
    page.get_by_label("Identificatorul parcursului").fill("magazin")
    page.get_by_label("Marca, așa cum o citesc clienții").fill("Magazinul")
    page.get_by_role("checkbox", name="Français").check()
    assert not page.get_by_label("Numele în franceză").first.is_visible()  # until posted
    page.get_by_role("button", name="Adăugați un moment").click()
    expect(page.get_by_label("Numele în franceză").first).to_be_visible()
    first, second = page.locator("#moment-0"), page.locator("#moment-1")
    first.get_by_label("Numele în română").fill("Vizita")
    first.get_by_label("Numele în franceză").fill("La visite")
    first.get_by_label("Identificator").fill("visit")
    second.get_by_label("Numele în română").fill("Livrarea")
    second.get_by_label("Numele în franceză").fill("La livraison")
    second.get_by_label("Identificator").fill("delivery")
    second.get_by_label("Tipul momentului").select_option("amot")
    second.get_by_role("button", name="Mutați mai sus").click()
    assert page.locator("#moments-0-id").input_value() == "delivery"
    page.locator("#moment-0").get_by_role("button", name="Français").click()
    preview = page.frame_locator("iframe[name=preview]")
    expect(preview.locator("h1")).to_have_text("La livraison")
    page.get_by_role("button", name="Publicați").click()
    expect(page.get_by_role("status").first).to_contain_text("Versiunea 1 este publicată")
    journey = storage.journeys.get_journey(db, "magazin")
    assert [m.id for m in journey.moments] == ["delivery", "visit"]
    context.close()
