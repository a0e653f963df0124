"""The follow-up inbox at scale: pages with totals, filters that combine and show, owners,
due dates, history, bulk actions, and every change refused to a viewer or a stale page."""

from __future__ import annotations

import re
from datetime import timedelta

from surveyapp import storage
from surveyapp.domain.themes import Theme
from surveyapp.domain.vocabulary import FOLLOWUP_PAGE_SIZE
from tests.helpers import (
    answers_living,
    confirm_on,
    csrf_token,
    form_fields,
    record_scored,
    sql,
)

INBOX = "/admin/j/cafe/followups"


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True).replace("\u202f", " "))


def pain(db, moment="meal", *, hours_ago=1, locale="fr", channel="link", customer=None, why=None):
    """One moment of pain of the café journey, received ``hours_ago``."""
    journey = storage.journeys.get_journey(db, "cafe")
    answers = answers_living(journey, moment, "negative")
    if why:
        answers["why"] = why
    return record_scored(
        db,
        journey,
        moment,
        answers,
        locale=locale,
        channel=channel,
        customer=customer,
        when=storage.utcnow() - timedelta(hours=hours_ago),
    )


def ticked(client, path, response_ids, **fields):
    page = client.get(path).get_data(as_text=True)
    data = {**form_fields(page, "bulk"), **fields, "item": [str(i) for i in response_ids]}
    return client.post(
        re.search(r'id="bulk"[^>]*action="([^"]+)"', page).group(1).replace("&amp;", "&"), data=data
    )


def item_form(client, response_id):
    page = client.get(f"{INBOX}/{response_id}").get_data(as_text=True)
    return {k: v for k, v in form_fields(page, "item").items()}


def open_count(db):
    return storage.followups.open_followups(db, "cafe").get("meal", 0)


def test_the_inbox_counts_every_item_and_pages_through_them(manager, db):
    ids = [pain(db, hours_ago=i) for i in range(FOLLOWUP_PAGE_SIZE + 7)]
    first = text(manager.get(INBOX))
    assert "57 éléments" in first and "page 1 sur 2" in first
    assert first.count('name="item"') == FOLLOWUP_PAGE_SIZE
    assert f'{INBOX}/{ids[0]}"' in first  # newest first
    second = text(manager.get(f"{INBOX}?page=2"))
    assert second.count('name="item"') == 7
    assert f'{INBOX}/{ids[-1]}"' in second
    assert "Page précédente" in second and "Page suivante" not in second


def test_filters_combine_stay_visible_and_each_can_be_removed(manager, db):
    pain(db, "meal", locale="ro", channel="qr", why="cafea rece")
    pain(db, "meal", locale="fr", channel="qr", why="café froid")
    pain(db, "meal", locale="ro", channel="link", why="cafea rece")
    pain(db, "bill", locale="ro", channel="qr", why="cafea rece")
    page = text(manager.get(f"{INBOX}?moment=meal&locale=ro&channel=qr&q=RECE"))
    assert "1 élément" in page
    assert "Filtré par" in page
    for shown in ("Votre repas", "Română", "Code QR", "“RECE”"):
        assert shown in page
    assert '<option value="meal" selected>' in page
    assert 'value="RECE"' in page
    without_text = re.search(
        r'href="([^"]+)">retirer<span class="visually-hidden"> \(Texte\)', page
    )
    wider = text(manager.get(without_text.group(1).replace("&amp;", "&")))
    assert "1 élément" in wider and "“RECE”" not in wider


def test_a_link_from_the_dashboard_lands_filtered_and_says_so(manager, db):
    for _ in range(3):
        pain(db, "meal")
    pain(db, "bill")
    dashboard = manager.get("/admin/j/cafe").get_data(as_text=True)
    link = re.search(r'href="(/admin/j/cafe/followups\?moment=meal[^"]*)">3<', dashboard)
    landed = text(manager.get(link.group(1).replace("&amp;", "&")))
    assert "3 éléments" in landed
    assert "Moment : <strong>Votre repas</strong>" in landed
    assert "Statut : <strong>Non résolu (à traiter ou contacté)</strong>" in landed


def test_unknown_filter_values_show_the_whole_inbox(manager, db):
    pain(db)
    page = text(manager.get(f"{INBOX}?status=bogus&moment=nope&owner=ghost&page=-3&age=9"))
    assert "1 élément" in page and "Filtré par" not in page


def test_an_item_is_assigned_to_me_and_the_owner_filter_finds_it(manager, db):
    mine, other = pain(db), pain(db)
    page = manager.get(f"{INBOX}/{mine}").get_data(as_text=True)
    fields = form_fields(page, "item")
    response = manager.post(
        f"{INBOX}/{mine}",
        data={"csrf_token": fields["csrf_token"], "revision": fields["revision"], "assign_me": "1"},
    )
    assert response.status_code == 303
    assert storage.inbox.followup_item(db, "cafe", mine)["owner"] == "maria"
    assert storage.inbox.followup_item(db, "cafe", other)["owner"] is None
    assert "1 élément" in text(manager.get(f"{INBOX}?owner=maria"))
    assert "1 élément" in text(manager.get(f"{INBOX}?owner=-"))


def test_an_unknown_owner_is_refused_and_changes_nothing(manager, db):
    item = pain(db)
    fields = item_form(manager, item)
    response = manager.post(f"{INBOX}/{item}", data={**fields, "owner": "ghost"})
    assert response.status_code == 422
    assert "n’est pas un admin" in text(response)
    bulk = ticked(manager, INBOX, [item], action="assign", owner="ghost")
    assert bulk.status_code == 422
    assert storage.inbox.followup_item(db, "cafe", item)["owner"] is None
    assert storage.inbox.history(db, item) == []


def test_an_edit_from_a_stale_page_is_refused_and_shows_the_item_as_it_is(manager, db):
    item = pain(db)
    first, second = item_form(manager, item), item_form(manager, item)
    assert manager.post(f"{INBOX}/{item}", data={**first, "status": "contacted"}).status_code == 303
    stale = manager.post(f"{INBOX}/{item}", data={**second, "status": "resolved", "note": "x"})
    assert stale.status_code == 409
    assert "quelqu’un a modifié cet élément" in text(stale)
    assert '<option selected value="contacted">' in text(stale)
    found = storage.inbox.followup_item(db, "cafe", item)
    assert (found["status"], found["note"]) == ("contacted", None)
    assert open_count(db) == 1


def test_every_change_is_kept_in_the_items_history(manager, db):
    item = pain(db)
    fields = item_form(manager, item)
    manager.post(
        f"{INBOX}/{item}",
        data={**fields, "status": "contacted", "owner": "maria", "note": "Appelée"},
    )
    page = text(manager.get(f"{INBOX}/{item}"))
    history = page[page.index("Historique") :]
    assert "maria" in history
    assert "statut À traiter → Contacté" in history
    assert "responsable personne → maria" in history
    assert "note : Appelée" in history


def test_overdue_items_are_marked_filtered_and_sorted_soonest_due_first(manager, db):
    late = pain(db, hours_ago=72)
    soon = pain(db, hours_ago=40)
    pain(db, hours_ago=2)
    page = text(manager.get(INBOX))
    assert page.count("En retard de") == 1
    assert "En retard de 24 heures" in page
    assert "1 élément" in text(manager.get(f"{INBOX}?age=overdue"))
    by_due = manager.get(f"{INBOX}?sort=due").get_data(as_text=True)
    assert by_due.index(f'{INBOX}/{late}"') < by_due.index(f'{INBOX}/{soon}"')
    combined = f"{INBOX}?age=168&sort=due&status=unresolved&owner=-&moment=meal&channel=link"
    assert "3 éléments" in text(manager.get(combined))


def test_the_target_time_is_set_per_journey_and_moves_what_is_overdue(manager, db):
    pain(db, hours_ago=72)
    page = manager.get(INBOX).get_data(as_text=True)
    token = csrf_token(page)
    done = manager.post(f"{INBOX}/target", data={"csrf_token": token, "hours": "96"})
    assert done.status_code == 303
    assert storage.inbox.target_hours(db, "cafe") == 96
    assert storage.inbox.target_hours(db, "saas-onboarding") == 48
    page = text(manager.get(INBOX))
    assert "En retard de" not in page
    assert "dans les 96 heures" in page
    for bad in ("0", "99999", "abc", ""):
        refused = manager.post(f"{INBOX}/target", data={"csrf_token": token, "hours": bad})
        assert refused.status_code == 422
    assert storage.inbox.target_hours(db, "cafe") == 96


def test_a_bulk_action_resolves_the_ticked_items_with_one_note(manager, db):
    ids = [pain(db) for _ in range(4)]
    asked = ticked(manager, INBOX, ids[:3], action="resolved", note="Geste commercial")
    assert asked.status_code == 200 and "Marquer 3 éléments résolus ?" in text(asked)
    assert open_count(db) == 4  # nothing changed before the red button
    response = confirm_on(manager, asked)
    assert response.status_code == 303
    assert "changed=3" in response.headers["Location"]
    assert "3 éléments modifiés" in text(manager.get(response.headers["Location"]))
    assert open_count(db) == 1
    for item in ids[:3]:
        found = storage.inbox.followup_item(db, "cafe", item)
        assert (found["status"], found["note"]) == ("resolved", "Geste commercial")
        assert found["resolved_at"]
    assert storage.inbox.followup_item(db, "cafe", ids[3])["status"] == "open"


def test_a_bulk_action_keeps_the_filters_it_was_made_under(manager, db):
    ids = [pain(db) for _ in range(2)]
    response = ticked(manager, f"{INBOX}?moment=meal&status=unresolved", ids, action="assign")
    assert response.status_code == 303
    assert "moment=meal" in response.headers["Location"]
    assert "status=unresolved" in response.headers["Location"]
    assert all(storage.inbox.followup_item(db, "cafe", i)["owner"] == "maria" for i in ids)


def test_a_bulk_action_on_an_item_of_another_journey_changes_nothing(manager, db):
    mine = pain(db)
    saas = storage.journeys.get_journey(db, "saas-onboarding")
    moment = saas.moments[0].id
    theirs = record_scored(db, saas, moment, answers_living(saas, moment, "negative"))
    response = confirm_on(manager, ticked(manager, INBOX, [mine, theirs], action="resolved"))
    assert response.status_code == 422
    assert storage.inbox.followup_item(db, "cafe", mine)["status"] == "open"
    assert storage.inbox.followup_item(db, "saas-onboarding", theirs)["status"] == "open"


def test_a_bulk_action_needs_a_ticked_item_and_a_valid_token(manager, db):
    item = pain(db)
    assert ticked(manager, INBOX, [], action="resolved").status_code == 422
    assert ticked(manager, INBOX, [item], action="resolved", csrf_token="forged").status_code == 422
    assert ticked(manager, INBOX, ["x1"], action="resolved").status_code == 422
    assert open_count(db) == 1


def test_a_viewer_reads_the_inbox_and_every_change_is_refused(viewer, manager, db):
    item = pain(db)
    page = text(viewer.get(INBOX))
    assert "1 élément" in page and 'name="item"' not in page and 'id="bulk"' not in page
    token = csrf_token(viewer.get(f"{INBOX}/{item}").get_data(as_text=True))
    for path, data in [
        (f"{INBOX}/bulk", {"item": str(item), "action": "resolved"}),
        (f"{INBOX}/target", {"hours": "1"}),
        (f"{INBOX}/{item}", {"status": "resolved", "revision": "0", "owner": ""}),
    ]:
        assert viewer.post(path, data={**data, "csrf_token": token}).status_code == 403
    assert storage.inbox.followup_item(db, "cafe", item)["status"] == "open"
    assert storage.inbox.target_hours(db, "cafe") == 48


def test_an_item_of_another_journey_or_none_is_not_found(manager, db):
    saas = storage.journeys.get_journey(db, "saas-onboarding")
    moment = saas.moments[0].id
    theirs = record_scored(db, saas, moment, answers_living(saas, moment, "negative"))
    assert manager.get(f"{INBOX}/{theirs}").status_code == 404
    assert manager.get(f"{INBOX}/999999").status_code == 404


def test_a_followup_keeps_its_responses_time_channel_and_language(loaded, db):
    item = pain(db, locale="ro", channel="qr", hours_ago=5)
    row = sql(
        db, "SELECT created_at, channel, locale FROM followups WHERE response_id = ?", (item,)
    )
    created, channel, locale = row.fetchone()
    assert (channel, locale) == ("qr", "ro")
    assert created < storage.iso(storage.utcnow() - timedelta(hours=4))


#: Admin routes that any logged-in account may post to: its own session, the editor's
#: preview, which shows a draft and stores nothing, and an export of what a viewer may read
#: (asked for, or tried again: its job is theirs).
POSTS_FOR_EVERYONE = {
    "admin.ask_export",
    "admin.retry_job",
    "admin.login",
    "admin.logout",
    "admin.editor_preview",
    "admin.reset_password",  # a reset link's page: the link is the credential
    "admin.forgot_password",  # asks for a link to the address of an account, if any
    "admin.login_code",  # the second step of signing in: the right password came first
    "admin.two_factor_page",  # one's own two-factor sign-in
}


def test_every_admin_action_refuses_a_viewer_with_403_and_changes_nothing(app, viewer, db):
    item = pain(db)
    token = csrf_token(viewer.get(INBOX).get_data(as_text=True))
    values = {
        "journey_id": "cafe",
        "moment_id": "meal",
        "response_id": item,
        "number": 1,
        "user_id": 1,
        "key_id": 1,
        "endpoint_id": 1,
        "email_id": 1,
        "action": "test",
        "job_id": "x",
        "theme_id": storage.themes.save_theme(
            db, "cafe", Theme(None, {"fr": "Attente"}, {"fr": ["attente"]}), by="maria"
        ),
    }
    before = sql(db, "SELECT status, owner, revision FROM followups").fetchall()
    checked = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin") or "POST" not in rule.methods:
            continue
        if rule.endpoint in POSTS_FOR_EVERYONE:
            continue
        path = rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
        response = viewer.post(path, data={"csrf_token": token, "status": "resolved"})
        assert response.status_code == 403, (path, response.status_code)
        checked.append(rule.endpoint)
    assert {"admin.followups_bulk", "admin.followups_target", "admin.followup"} <= set(checked)
    assert {"admin.themes_page", "admin.theme_page", "admin.theme_delete"} <= set(checked)
    assert sql(db, "SELECT status, owner, revision FROM followups").fetchall() == before
    assert [t.words for t in storage.themes.list_themes(db, "cafe")] == [{"fr": ["attente"]}]


def test_the_customers_comment_is_shown_once_under_its_question(manager, db):
    journey = storage.journeys.get_journey(db, "cafe")
    said = "Trente minutes d’attente pour un café froid"
    answers = {**answers_living(journey, "meal", "negative"), "why": said}
    item = record_scored(db, journey, "meal", answers, comment=said)
    page = text(manager.get(f"{INBOX}/{item}"))
    assert page.count(said) == 1
