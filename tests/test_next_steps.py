"""After the answer: a happy customer is invited to leave a review where other customers
look (the click counted, then sent there), an unhappy one may leave a way to be
contacted (with consent) that joins the follow-up list; both offers are counted on the
dashboard. Only the browser that just answered sees them."""

from __future__ import annotations

import pytest
from itsdangerous import TimestampSigner

from surveyapp import storage
from surveyapp.domain.definitions import parse_definition
from surveyapp.domain.problems import DefinitionError
from surveyapp.services import accounts
from tests.helpers import admin_log_in, csrf_token, followups, get_then_post, sql

REVIEW_FR = "https://example.com/avis/cafe-des-arts"


def answer_meal(client, polarity, lang="fr"):
    posted = get_then_post(client, f"/j/cafe/meal?lang={lang}", {"experience": polarity})
    assert posted.status_code == 303
    return client.get(posted.headers["Location"])


def tally(db, column):
    return sql(
        db, f"SELECT COALESCE(SUM({column}), 0) FROM daily_tallies WHERE journey_id = ?", ["cafe"]
    )[0][0]


def test_a_happy_customer_is_invited_to_review_and_the_click_is_counted_once(client, db):
    thanks = answer_meal(client, "positive").get_data(as_text=True)
    assert "Glad it went well" not in thanks  # French page
    assert "Ravis que cela se soit bien passé" in thanks
    link = "/j/cafe/meal/review?lang=fr"
    assert f'href="{link}"' in thanks
    assert tally(db, "review_offered") == 1 and tally(db, "review_clicked") == 0
    for _ in range(2):  # a second click is not a second customer
        went = client.get(link)
        assert went.status_code == 303 and went.headers["Location"] == REVIEW_FR
    assert tally(db, "review_clicked") == 1


def test_a_review_link_opened_elsewhere_goes_there_but_counts_nothing(app, client, db):
    answer_meal(client, "positive")
    stranger = app.test_client()
    went = stranger.get("/j/cafe/meal/review?lang=ro")
    assert went.status_code == 303 and went.headers["Location"].endswith("/recenzii/cafe-des-arts")
    assert tally(db, "review_clicked") == 0
    assert stranger.get("/j/saas-onboarding/billing/review").status_code == 404  # none set


def test_an_unhappy_customer_may_leave_a_contact_that_joins_the_follow_up(app, client, db):
    thanks = answer_meal(client, "negative").get_data(as_text=True)
    assert "Souhaitez-vous que nous vous contactions" in thanks
    assert tally(db, "contact_offered") == 1
    path = "/j/cafe/meal/contact?lang=fr"
    # Without consent, or with something that is neither an email nor a phone: refused.
    for data in ({"contact": "marie@example.com"}, {"contact": "demain", "consent": "y"}):
        refused = client.post(path, data={**data, "csrf_token": csrf_token(thanks)})
        assert refused.status_code == 422 and 'role="alert"' in refused.get_data(as_text=True)
        said = refused.get_data(as_text=True).replace("\u202f", " ")
        assert "Votre réponse est enregistrée ; seule votre demande de contact" in said
        assert "Rien n’a encore été enregistré" not in said  # the answer was
    assert tally(db, "contact_left") == 0
    left = client.post(
        path,
        data={"contact": " +40 721 000 111 ", "consent": "y", "csrf_token": csrf_token(thanks)},
    )
    assert left.status_code == 303 and left.headers["Location"] == "/j/cafe/meal/thanks?lang=fr"
    again = client.get(left.headers["Location"]).get_data(as_text=True)
    assert "vous recontactera" in again and "<form" not in again.split("next-contact")[1]
    assert tally(db, "contact_left") == 1
    (row,) = followups(db, "cafe")
    assert row["contact"] == "+40 721 000 111" and row["contact_at"]
    # Posting again changes nothing.
    client.post(
        path, data={"contact": "x@example.com", "consent": "y", "csrf_token": csrf_token(thanks)}
    )
    assert followups(db, "cafe")[0]["contact"] == "+40 721 000 111"
    assert tally(db, "contact_left") == 1
    # The follow-up list shows it to the team.
    accounts.create(db, "maria", "correct horse battery")
    admin = app.test_client()
    admin_log_in(admin, "maria", "correct horse battery", "fr")
    listing = admin.get("/admin/j/cafe/followups?lang=fr").get_data(as_text=True)
    assert "+40 721 000 111" in listing


def test_a_contact_without_a_fresh_answer_or_without_csrf_changes_nothing(app, client, db):
    stranger = app.test_client()
    page = stranger.get("/j/cafe/meal?lang=fr").get_data(as_text=True)
    posted = stranger.post(
        "/j/cafe/meal/contact?lang=fr",
        data={"contact": "a@example.com", "consent": "y", "csrf_token": csrf_token(page)},
    )
    assert posted.status_code == 409
    answer_meal(client, "negative")
    forged = client.post(
        "/j/cafe/meal/contact?lang=fr", data={"contact": "a@example.com", "consent": "y"}
    )
    assert forged.status_code == 422
    assert followups(db, "cafe")[0]["contact"] is None


def test_a_so_so_answer_is_offered_nothing_and_sets_no_cookie(client, db):
    posted = get_then_post(client, "/j/cafe/meal?lang=fr", {"experience": "neutral"})
    assert not any(c.startswith("answered=") for c in posted.headers.getlist("Set-Cookie"))
    thanks = client.get(posted.headers["Location"]).get_data(as_text=True)
    assert "next-step" not in thanks
    assert tally(db, "review_offered") + tally(db, "contact_offered") == 0


def test_an_offer_closes_after_two_hours_and_a_tampered_mark_counts_nothing(
    client, db, monkeypatch
):
    """The mark of the answer is a signed cookie: two hours later the thank-you page
    offers nothing and a click counts nothing; an altered mark is no mark at all."""
    answer_meal(client, "positive")
    mark = client.get_cookie("answered")
    assert mark.http_only and mark.same_site == "Lax"
    later = TimestampSigner.get_timestamp(None) + 2 * 3600 + 60
    with monkeypatch.context() as patched:
        patched.setattr(TimestampSigner, "get_timestamp", lambda self: later)
        thanks = client.get("/j/cafe/meal/thanks?lang=fr").get_data(as_text=True)
        assert "Merci" in thanks and "/review" not in thanks
        client.get("/j/cafe/meal/review?lang=fr")
    assert tally(db, "review_clicked") == 0
    value = mark.value
    for forged in (value[:-2] + ("AA" if value[-2:] != "AA" else "BB"), "e30." + value[4:], "x"):
        client.set_cookie("answered", forged)
        assert "/review" not in client.get("/j/cafe/meal/thanks?lang=fr").get_data(as_text=True)
        client.get("/j/cafe/meal/review?lang=fr")
    assert tally(db, "review_clicked") == 0
    client.set_cookie("answered", value)  # the genuine mark still counts, once
    client.get("/j/cafe/meal/review?lang=fr")
    client.get("/j/cafe/meal/review?lang=fr")
    assert tally(db, "review_clicked") == 1


def test_a_personal_link_gets_the_same_offer(client, db, token):
    posted = get_then_post(client, f"/s/{token}?lang=ro", {"experience": "positive"})
    thanks = client.get(posted.headers["Location"]).get_data(as_text=True)
    assert 'href="/j/cafe/meal/review?lang=ro"' in thanks


def test_the_dashboard_counts_offers_and_what_customers_did(app, client, db):
    answer_meal(client, "positive")
    client.get("/j/cafe/meal/review?lang=fr")
    answer_meal(app.test_client(), "positive")
    accounts.create(db, "maria", "correct horse battery")
    admin = app.test_client()
    admin_log_in(admin, "maria", "correct horse battery", "en")
    page = admin.get("/admin/j/cafe?lang=en").get_data(as_text=True)
    section = page.split('id="next-steps"')[1].split("</section>")[0]
    assert "2 happy customers invited to write a review, 1 clicked (50" in section


@pytest.mark.parametrize(
    ("after_answer", "message"),
    [
        ({"review_links": {"de": "https://x.example"}}, "after_answer.review_links.de"),
        ({"review_links": {"fr": "javascript:alert(1)"}}, "must be a secure web address"),
        ({"review_links": {"fr": "http://plain.example"}}, "must be a secure web address"),
        ({"contact_offer": "yes"}, "after_answer.contact_offer: must be true or false"),
        ({"coupon": 10}, "after_answer.coupon: unknown field"),
        ("review", "after_answer: must be a mapping"),
    ],
)
def test_a_broken_after_answer_is_refused_with_its_path(after_answer, message):
    import json

    data = {
        "id": "shop",
        "brand": "S",
        "default_locale": "fr",
        "locales": ["fr", "ro"],
        "moments": [{"id": "a", "kind": "lmot", "name": "A"}],
        "after_answer": after_answer,
    }
    with pytest.raises(DefinitionError) as raised:
        parse_definition(json.dumps(data))
    assert message in str(raised.value)


def test_forgetting_a_customer_erases_the_contact_they_left(client, db, token):
    posted = get_then_post(client, f"/s/{token}?lang=ro", {"experience": "negative"})
    thanks = client.get(posted.headers["Location"]).get_data(as_text=True)
    left = client.post(
        "/j/cafe/meal/contact?lang=ro",
        data={"contact": "ion@example.com", "consent": "y", "csrf_token": csrf_token(thanks)},
    )
    assert left.headers["Location"] == f"/s/{token}/thanks?lang=ro"  # back where it was
    assert followups(db, "cafe")[0]["contact"] == "ion@example.com"
    storage.customer_data.forget(db, ref="C-1", email=None)
    assert followups(db, "cafe")[0]["contact"] is None


def test_a_completed_answer_gets_the_offer_of_its_final_polarity(client, db, token):
    """The one-click answer was so-so (nothing offered); the customer finishes the survey
    and says it went badly: the thank-you page offers contact, and counts it once."""
    page = client.get(f"/s/{token}?a=neutral&lang=ro").get_data(as_text=True)
    first = client.post(
        f"/s/{token}/first", data={"csrf_token": csrf_token(page), "experience": "neutral"}
    )
    assert first.status_code == 204 and tally(db, "contact_offered") == 0
    done = client.post(
        f"/s/{token}?lang=ro", data={"csrf_token": csrf_token(page), "experience": "negative"}
    )
    assert done.status_code == 303
    thanks = client.get(done.headers["Location"]).get_data(as_text=True)
    assert 'action="/j/cafe/meal/contact?lang=ro"' in thanks
    assert tally(db, "contact_offered") == 1
