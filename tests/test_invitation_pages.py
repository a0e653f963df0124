"""Personal invitation links, one-click answers and opting out, through the test client."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner

from surveyapp import storage
from surveyapp.services import invitations
from tests.helpers import csrf_token, make_invitation, sql


@pytest.fixture
def invite(app, db, loaded):
    """Create invitations like the CLI does; return their tokens."""

    def make(moment_id="meal", customer="C-1", locale="ro", journey="cafe", email=None):
        return make_invitation(db, loaded[journey], moment_id, customer, locale, email)

    return make


def responses(app):
    with storage.connect(app.config["DATABASE"]) as db:
        return sql(
            db,
            "SELECT moment_id, polarity, answers, invitation_id, customer_ref, "
            "channel, locale FROM responses ORDER BY id",
        ).fetchall()


def test_the_invitation_opens_in_the_customers_language(client, invite):
    page = client.get(f"/s/{invite()}", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="ro">' in page and "Masa dumneavoastră: cum a fost?" in page


def test_an_invitation_is_answered_once(app, invite):
    token = invite(customer="C-77")
    phone, laptop = app.test_client(), app.test_client()  # the link opened twice, then sent twice
    csrf = [csrf_token(b.get(f"/s/{token}").get_data(as_text=True)) for b in (phone, laptop)]
    first = phone.post(
        f"/s/{token}", data={"experience": "positive", "why": "Rapid", "csrf_token": csrf[0]}
    )
    assert first.status_code == 303 and first.headers["Location"] == f"/s/{token}/thanks?lang=ro"
    second = laptop.post(f"/s/{token}", data={"experience": "negative", "csrf_token": csrf[1]})
    assert second.status_code == 200
    assert "Ați răspuns deja" in second.get_data(as_text=True)
    assert "Ați răspuns deja" in laptop.get(f"/s/{token}").get_data(as_text=True)
    (row,) = responses(app)
    assert row[:2] == ("meal", "positive") and row[4:] == ("C-77", "personal", "ro")


def test_two_browsers_racing_on_each_link_store_one_response_per_link(app, invite):
    tokens = [invite(customer=f"C-{i}") for i in range(20)]
    browsers = [[app.test_client(), app.test_client()] for _ in tokens]
    forms = [
        [csrf_token(b.get(f"/s/{t}").get_data(as_text=True)) for b in pair]
        for t, pair in zip(tokens, browsers, strict=True)
    ]
    start = threading.Barrier(40)
    statuses = []

    def submit(browser, token, csrf):
        start.wait()
        statuses.append(
            browser.post(
                f"/s/{token}", data={"experience": "positive", "csrf_token": csrf}
            ).status_code
        )

    threads = [
        threading.Thread(target=submit, args=(b, t, c))
        for t, pair, csrfs in zip(tokens, browsers, forms, strict=True)
        for b, c in zip(pair, csrfs, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 20 + [303] * 20
    assert len(responses(app)) == 20
    with storage.connect(app.config["DATABASE"]) as db:
        assert storage.tallies.moment_tallies(db, "cafe")["meal"]["responses"] == 20


@pytest.mark.parametrize("token", ["AAAAAAAAAAAAAAAAAAAAAA", "short", "x" * 300, "é%00;"])
def test_a_tampered_or_unknown_link_says_so_and_stores_nothing(client, app, token):
    response = client.post(
        f"/s/{token}", data={"experience": "positive"}, headers={"Accept-Language": "ro"}
    )
    assert response.status_code == 404
    assert "Acest link nu este valid" in response.get_data(as_text=True)
    assert responses(app) == []


def test_an_altered_token_is_not_valid(client, invite):
    token = invite()
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(f"/s/{altered}").status_code == 404


def test_an_expired_link_says_so_and_stores_nothing(app, db, answer, invite):
    token = invite()
    sql(
        db,
        "UPDATE invitations SET expires_at = ? WHERE token = ?",
        [storage.iso(storage.utcnow() - timedelta(minutes=1)), token],
    )
    response = answer(f"/s/{token}", {"experience": "positive"}, with_token=False)
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "Acest link a expirat" in page
    # The company's page, not the tool's: its logo where the tool's name would be.
    assert 'class="logo"' in page and 'alt="Café des Arts"' in page
    assert "Momentele adevărului" not in page
    assert responses(app) == []


def test_the_email_click_only_preselects_the_answer(client, app, invite):
    token = invite(moment_id="review")
    page = client.get(f"/s/{token}?a=3").get_data(as_text=True)
    assert (
        '<input checked id="recommend-3" name="recommend" required type="radio" value="3">' in page
    )
    assert f'data-presence="/s/{token}/first"' in page and "presence.js" in page
    assert responses(app) == []
    ignored = client.get(f"/s/{token}?a=11").get_data(as_text=True)
    assert "checked" not in ignored and f'data-presence="/s/{token}/opened"' in ignored


def test_the_first_answer_counts_and_the_survey_can_still_be_finished(client, app, invite):
    token = invite(moment_id="meal")
    csrf = csrf_token(client.get(f"/s/{token}?a=negative").get_data(as_text=True))
    first = client.post(f"/s/{token}/first", data={"experience": "negative", "csrf_token": csrf})
    assert first.status_code == 204
    assert [r[1] for r in responses(app)] == ["negative"]
    done = client.post(
        f"/s/{token}",
        data={"experience": "neutral", "satisfaction": "3", "why": "OK", "csrf_token": csrf},
    )
    assert done.status_code == 303
    (row,) = responses(app)
    assert row[1] == "neutral" and '"satisfaction": 3' in row[2]
    with storage.connect(app.config["DATABASE"]) as db:
        meal = storage.tallies.moment_tallies(db, "cafe")["meal"]
    assert (meal["responses"], meal["negative"], meal["neutral"], meal["csat_n"]) == (1, 0, 1, 1)
    again = client.post(f"/s/{token}", data={"experience": "positive", "csrf_token": csrf})
    assert "Ați răspuns deja" in again.get_data(as_text=True)
    assert responses(app)[0][1] == "neutral"


def test_another_browser_cannot_change_a_first_answer(app, client, invite):
    token = invite()
    csrf = csrf_token(client.get(f"/s/{token}?a=positive").get_data(as_text=True))
    client.post(f"/s/{token}/first", data={"experience": "positive", "csrf_token": csrf})
    other = app.test_client()
    page = other.get(f"/s/{token}").get_data(as_text=True)
    assert "Ați răspuns deja" in page
    assert other.post(f"/s/{token}/first", data={"experience": "negative"}).status_code == 409
    assert [r[1] for r in responses(app)] == ["positive"]


def test_unsubscribing_asks_first_then_stops_all_surveys(app, client, db, invite):
    token = invite(customer="C-5")
    page = client.get(f"/u/{token}").get_data(as_text=True)
    assert "Nu mai doriți să primiți chestionare?" in page
    assert storage.invitations.opted_out(db, [invitations.customer_hash("C-5")]) == set()
    forged = client.post(f"/u/{token}", data={"csrf_token": "forged"})
    assert forged.status_code == 422
    assert storage.invitations.opted_out(db, [invitations.customer_hash("C-5")]) == set()
    done = client.post(f"/u/{token}", data={"csrf_token": csrf_token(page)})
    assert "Nu veți mai primi chestionare" in done.get_data(as_text=True)
    assert storage.invitations.opted_out(db, [invitations.customer_hash("C-5")]) != set()


def test_a_mail_clients_one_click_unsubscribe_is_accepted(app, client, db, invite):
    token = invite(customer="C-6")
    response = client.post(f"/u/{token}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert storage.invitations.opted_out(db, [invitations.customer_hash("C-6")]) != set()


def test_the_same_browser_answers_a_public_link_once_a_day(app, answer):
    browser = app.test_client()
    assert answer("/j/cafe/bill", {"experience": "positive"}, browser=browser).status_code == 303
    again = browser.get("/j/cafe/bill?lang=ro")
    assert "Ați răspuns deja astăzi la acest chestionar" in again.get_data(as_text=True)
    assert answer("/j/cafe/bill", {"experience": "negative"}).status_code == 303  # another one
    assert len(responses(app)) == 2
    # Another moment is another survey; a day later this one may be answered again.
    assert answer("/j/cafe/meal", {"experience": "neutral"}, browser=browser).status_code == 303
    later = TimestampSigner.get_timestamp(None) + 86400 + 60
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(TimestampSigner, "get_timestamp", lambda self: later)
        patched.setattr(time, "time", lambda: later)
        assert "Ați răspuns deja" not in browser.get("/j/cafe/bill?lang=ro").get_data(as_text=True)
    assert "Ați răspuns deja" in browser.get("/j/cafe/meal?lang=ro").get_data(as_text=True)
    # A forged memory is none: it neither blocks nor breaks the page.
    browser.set_cookie("answered_public", "e30.AAAA.BBBB")
    assert "Ați răspuns deja" not in browser.get("/j/cafe/meal?lang=ro").get_data(as_text=True)
