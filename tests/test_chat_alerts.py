"""Alerts where teams talk: a moment of pain, or a moment whose pain share over seven days
is surely above a manager's threshold, posted to real receivers on 127.0.0.1 in Slack's
and in Microsoft Teams' incoming-webhook formats, in the journey's language."""

from __future__ import annotations

import json
import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from surveyapp import storage
from surveyapp.services import pain_alerts
from surveyapp.workers import webhooks as webhook_worker
from tests.helpers import csrf_token, get_then_post, sql

PAGE = "/admin/integrations"
BASE = "https://cx.example"
HOSTILE = "<!channel> *gratuit* [clic](https://evil.example) <https://evil.example|ici> & co"


@pytest.fixture
def chat():
    """A chat's incoming webhook on 127.0.0.1: records each JSON body it is sent."""
    bodies: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://localhost:{server.server_address[1]}/hook", bodies
    server.shutdown()
    server.server_close()


def deliver(db) -> tuple[int, int]:
    return webhook_worker.deliver_due(db, allowed_hosts=["localhost"], base_url=BASE)


def add_in_browser(manager, **fields):
    page = manager.get(PAGE).get_data(as_text=True)
    return manager.post(f"{PAGE}/webhooks", data={"csrf_token": csrf_token(page), **fields})


def pain_from_customer(app, token: str) -> None:
    answered = get_then_post(
        app.test_client(), f"/s/{token}", {"experience": "negative", "why": HOSTILE}
    )
    assert answered.status_code == 303


def strings(value) -> list[str]:
    """Every string in a JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def test_a_pain_reaches_a_slack_channel_in_the_journeys_language_without_naming_the_customer(
    app, db, manager, chat, token
):
    url, bodies = chat
    added = add_in_browser(
        manager, journey="cafe", format="slack", url=url, events=["response.negative"]
    )
    assert added.status_code == 303
    shown = manager.get(added.headers["Location"]).get_data(as_text=True)
    assert "whsec_" not in shown and "Slack" in shown  # a chat checks no signature
    pain_from_customer(app, token)
    assert deliver(db) == (1, 0)
    (body,) = bodies
    (item,) = [r[0] for r in sql(db, "SELECT response_id FROM followups").fetchall()]
    # Said in the café's language (French), whatever language the customer answered in.
    assert body["text"] == "Café des Arts\u202f: douleur à «\u202fVotre repas\u202f»"
    assert body["mrkdwn"] is False
    header, answers, actions = body["blocks"]
    assert header["type"] == "header"
    # The customer's words are plain text: Slack makes no mention, link or bold of them.
    assert answers["text"]["type"] == "plain_text" and HOSTILE in answers["text"]["text"]
    assert all(HOSTILE in s or "<" not in s for s in strings(body))
    (button,) = actions["elements"]
    assert button["url"] == f"{BASE}/admin/j/cafe/followups/{item}"
    assert button["text"]["text"] == "Ouvrir le suivi"
    assert "C-1" not in json.dumps(body)  # a channel has many readers


def test_a_pain_reaches_a_teams_channel_as_an_adaptive_card_that_reads_no_markdown(
    app, db, run_cli, chat, token
):
    url, bodies = chat
    output = run_cli(
        "webhook", "add", "cafe", url, "--format", "teams", "--events", "response.negative"
    ).output
    assert "signing secret" not in output
    pain_from_customer(app, token)
    assert deliver(db) == (1, 0)
    (body,) = bodies
    assert body["type"] == "message"
    (attachment,) = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    # Every text is a TextRun, which Teams shows as written (a TextBlock reads markdown).
    runs = [i for block in card["body"] for i in block["inlines"]]
    assert {block["type"] for block in card["body"]} == {"RichTextBlock"}
    assert runs[0]["text"] == "Café des Arts\u202f: douleur à «\u202fVotre repas\u202f»"
    assert HOSTILE in [run["text"] for run in runs]
    (action,) = card["actions"]
    assert action["type"] == "Action.OpenUrl" and action["url"].startswith(f"{BASE}/admin/j/cafe/")
    assert "C-1" not in json.dumps(body)
    # The manager's test from the webhook's page says what the channel is for.
    (endpoint,) = storage.webhooks.list_webhooks(db)
    storage.webhooks.queue_test(db, endpoint["id"], {"journey": "cafe", "by": "maria"})
    assert deliver(db) == (1, 0)
    title = bodies[-1]["attachments"][0]["content"]["body"][0]["inlines"][0]["text"]
    assert title == "Café des Arts : un message d’essai ; ce canal recevra les alertes."


def add_tally(db, day, answers: int, negative: int, moment: str = "meal") -> None:
    """Answers of a day as the survey counts them (its tally rows)."""
    key = {"journey_id": "cafe", "moment_id": moment, "locale": "fr", "channel": "link"}
    with storage.transaction(db):
        storage.tallies.add_to_tallies(
            db,
            [
                {
                    **key,
                    "day": day.isoformat(),
                    "responses": answers,
                    "negative": negative,
                    "positive": answers - negative,
                }
            ],
        )


def test_a_moment_surely_above_the_threshold_is_reported_once_in_seven_days(
    db, loaded, run_cli, chat
):
    url, bodies = chat
    run_cli("webhook", "add", "cafe", url, "--format", "slack", "--pain-threshold", "30")
    today = storage.utcnow().date()
    add_tally(db, today - timedelta(days=9), 100, 90)  # an old bad week does not count
    add_tally(db, today, 3, 2)  # 67% of 3 answers: maybe above 30%, maybe not (21% to 94%)
    assert deliver(db) == (0, 0) and bodies == []
    add_tally(db, today - timedelta(days=6), 37, 18)  # 20 of 40: 35% to 65%, surely above
    assert deliver(db) == (1, 0)
    (body,) = bodies
    assert body["text"] == (
        "Café des Arts\u202f: «\u202fVotre repas\u202f» au-dessus de votre seuil de douleur"
    )
    said = body["blocks"][1]["text"]["text"]
    assert "50,0\u00a0% de 40 réponses" in said and "de 35,2\u00a0% à 64,8\u00a0%" in said
    assert "30,0\u00a0%" in said
    assert body["blocks"][2]["elements"][0]["url"] == f"{BASE}/admin/j/cafe"
    add_tally(db, today, 40, 40)
    assert deliver(db) == (0, 0)  # not again within seven days


def test_nodes_checking_at_once_report_a_moment_once(database, db, loaded, run_cli, chat):
    url, _ = chat
    run_cli("webhook", "add", "cafe", url, "--format", "teams", "--pain-threshold", "20")
    add_tally(db, storage.utcnow().date(), 30, 25)
    together = threading.Barrier(4)
    queued: list[int] = []

    def node():
        connection = storage.open_database(database)
        try:
            together.wait(timeout=30)
            queued.append(pain_alerts.queue_due(connection))
        finally:
            connection.close()

    threads = [threading.Thread(target=node) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(queued) == [0, 0, 0, 1]
    events = sql(db, "SELECT event FROM webhook_outbox").fetchall()
    assert [e[0] for e in events] == ["moment.pain_share_exceeded"]


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True).replace("\u202f", " "))


def test_a_threshold_event_without_a_threshold_is_refused_and_nothing_is_added(manager, db):
    refused = add_in_browser(
        manager,
        journey="cafe",
        format="slack",
        url="https://hooks.slack.com/services/T0/B0/X",
        events=["moment.pain_share_exceeded"],
    )
    assert refused.status_code == 422
    assert "donnez la part de douleur" in text(refused)
    assert storage.webhooks.list_webhooks(db) == []


def test_a_chat_at_a_private_address_is_refused_and_nothing_is_added(manager, db):
    refused = add_in_browser(
        manager,
        journey="cafe",
        format="teams",
        url="http://10.0.0.7/workflows/hook",
        events=["response.negative"],
        pain_threshold="30",
    )
    assert refused.status_code == 422 and "Rien n’a été ajouté" in text(refused)
    assert storage.webhooks.list_webhooks(db) == []
