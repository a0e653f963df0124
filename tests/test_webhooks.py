"""Webhooks: an outbox written with the response, delivered signed to a real receiver."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jsonschema_rs  # schemathesis's JSON Schema validator, already a test dependency
import pytest

from surveyapp import storage
from surveyapp.domain import i18n
from surveyapp.domain.vocabulary import WEBHOOK_EVENTS
from surveyapp.services import apikeys, webhooks
from surveyapp.workers import webhooks as webhook_worker
from tests.helpers import get_then_post, sql


class Receiver:
    """A real HTTP server on 127.0.0.1 that records what it is sent."""

    def __init__(self, status=204, delay=0.0):
        self.status = status
        self.delay = delay  # seconds to take over each request, like a slow receiver
        self.received = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                time.sleep(outer.delay)
                outer.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(outer.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://localhost:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def verify(secret: str, headers: dict, body: str) -> bool:
    """What a receiver does, per the Standard Webhooks specification."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.{body}".encode()
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        hmac.compare_digest(f"v1,{expected}", s) for s in headers["webhook-signature"].split()
    )


def answer(app, path, experience):
    return get_then_post(app.test_client(), path, {"experience": experience, "why": "Supa rece"})


def add_hook(run_cli, url, events="response.created,response.negative"):
    output = run_cli("webhook", "add", "cafe", url, "--events", events).output
    return output.split("signing secret (shown once): ")[1].strip()


def test_a_negative_answer_is_delivered_signed(app, db, run_cli, receiver):
    secret = add_hook(run_cli, receiver.url, "response.negative")
    answer(app, "/j/cafe/bill", "positive")
    answer(app, "/j/cafe/bill?lang=ro", "negative")
    assert "delivered 1, failed 0" in run_cli("webhook", "deliver").output
    ((headers, body),) = receiver.received
    assert verify(secret, headers, body)
    assert not verify(webhooks.new_secret(), headers, body)
    event = json.loads(body)
    assert event["type"] == "response.negative"
    assert (event["data"]["moment"], event["data"]["locale"]) == ("bill", "ro")
    assert event["data"]["answers"]["why"] == "Supa rece"
    assert "delivered 0, failed 0" in run_cli("webhook", "deliver").output  # once only


def test_a_dead_receiver_never_slows_a_submit_and_is_retried(app, db, run_cli, receiver):
    add_hook(run_cli, receiver.url)
    receiver.status = 503
    assert answer(app, "/j/cafe/meal", "negative").status_code == 303
    assert "delivered 0, failed 2" in run_cli("webhook", "deliver").output
    row = sql(
        db,
        "SELECT attempts, last_error, next_attempt_at, delivered_at FROM webhook_outbox "
        "ORDER BY id",
    ).fetchall()
    assert all(r[0] == 1 and r[3] is None for r in row)
    assert {i18n.stored_text(r[1], "en") for r in row} == {"the receiver answered HTTP 503"}
    receiver.status = 204
    assert "delivered 0, failed 0" in run_cli("webhook", "deliver").output  # not due yet
    sql(db, "UPDATE webhook_outbox SET next_attempt_at = ?", [storage.iso(storage.utcnow())])
    assert "delivered 2, failed 0" in run_cli("webhook", "deliver").output


def test_an_event_survives_a_restart_of_the_service(app, db, run_cli, receiver):
    secret = add_hook(run_cli, receiver.url, "response.created")
    answer(app, "/j/cafe/meal", "positive")
    # The service stops here; a fresh process (the CLI) delivers from the outbox later.
    assert sql(db, "SELECT COUNT(*) FROM webhook_outbox").fetchone()[0] == 1
    run_cli("webhook", "deliver")
    ((headers, body),) = receiver.received
    assert verify(secret, headers, body)


def test_the_outbox_row_is_written_in_the_responses_own_transaction(db, loaded, run_cli, receiver):
    add_hook(run_cli, receiver.url)
    with pytest.raises(storage.responses.AlreadyAnswered):
        storage.responses.record_response(
            db,
            journey_id="cafe",
            moment_id="meal",
            locale="fr",
            channel="link",
            polarity="negative",
            answers={"experience": "negative"},
            increments={},
            invitation_id=12345,
        )  # no such invitation: nothing is kept
    assert sql(db, "SELECT COUNT(*) FROM webhook_outbox").fetchone()[0] == 0


def test_webhook_commands_check_their_input(run_cli, loaded, receiver):
    assert run_cli("webhook", "add", "cafe", "ftp://x").exit_code == 2
    assert run_cli("webhook", "add", "cafe", receiver.url, "--events", "nope").exit_code == 2
    assert run_cli("webhook", "add", "nope", receiver.url).exit_code == 1
    add_hook(run_cli, receiver.url)
    assert receiver.url in run_cli("webhook", "list").output
    assert run_cli("webhook", "remove", "1").output.strip() == "removed webhook 1"
    assert run_cli("webhook", "remove", "1").exit_code == 1


def test_a_script_with_only_an_api_key_does_the_whole_loop(app, db, receiver, journeys_dir):
    """The issue's "done when": load, invite, find the answers, get a signed webhook."""
    key = apikeys.create(db, "crm")
    client = app.test_client()
    auth = {"Authorization": f"Bearer {key}"}
    definition = (journeys_dir / "saas-onboarding.yaml").read_text()
    assert (
        client.post(
            "/api/v1/journeys", data=definition, content_type="application/yaml", headers=auth
        ).status_code
        == 200
    )
    secret = webhooks.new_secret()
    storage.webhooks.add_webhook(db, "saas-onboarding", receiver.url, secret, ["response.negative"])
    batch = client.post(
        "/api/v1/invitations",
        headers=auth,
        json={
            "invitations": [
                {
                    "journey": "saas-onboarding",
                    "moment": "billing",
                    "customer": f"ACME-{i}",
                    "locale": "ro",
                }
                for i in range(3)
            ]
        },
    ).get_json()["results"]
    answer(app, batch[0]["url"].split("127.0.0.1:5000")[1], "negative")
    answer(app, batch[1]["url"].split("127.0.0.1:5000")[1], "positive")
    scores = client.get("/api/v1/journeys/saas-onboarding/scores", headers=auth).get_json()
    billing = next(m for m in scores["moments"] if m["id"] == "billing")
    assert (billing["responses"], billing["negative"]) == (2, 1)
    found = client.get("/api/v1/responses?journey=saas-onboarding", headers=auth).get_json()
    assert {r["customer"] for r in found["responses"]} == {"ACME-0", "ACME-1"}
    webhook_worker.deliver_due(db, allowed_hosts=["localhost"])
    ((headers, body),) = receiver.received
    assert verify(secret, headers, body) and json.loads(body)["data"]["customer"] == "ACME-0"


def test_serve_runs_the_delivery_worker_beside_the_web_workers(
    db, loaded, run_cli, receiver, token
):
    """`surveyapp serve` starts the worker: an answer reaches the receiver by itself."""
    import time

    from tests.helpers import start_serve, stop_server
    from tests.test_durability import submit

    secret = add_hook(run_cli, receiver.url, "response.negative")
    server, port = start_serve("--workers", "2")
    try:
        assert submit(port, token) == 303
        deadline = time.monotonic() + 20
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop_server(server)
    ((headers, body),) = receiver.received
    assert verify(secret, headers, body) and json.loads(body)["type"] == "response.negative"


def test_every_event_delivered_is_what_the_openapi_document_says_it_is(app, db, run_cli, receiver):
    events = "response.created,response.negative,followup.status_changed"
    output = run_cli(
        "webhook", "add", "cafe", receiver.url, "--events", events, "--pain-threshold", "10"
    ).output
    assert "moment.pain_share_exceeded" in output  # a threshold asks for its event
    answer(app, "/j/cafe/meal", "negative")  # 1 pain in 1 answer: surely above 10%
    (item,) = [r[0] for r in sql(db, "SELECT response_id FROM followups").fetchall()]
    storage.followups.update_followup(db, item, by="maria", status="resolved")
    assert "delivered 4, failed 0" in run_cli("webhook", "deliver").output
    webhooks_described = app.test_client().get("/api/v1/openapi.json").get_json()["webhooks"]
    assert set(webhooks_described) == {*WEBHOOK_EVENTS, "webhook.test"}
    seen = set()
    for _, body in receiver.received:
        event = json.loads(body)
        post = webhooks_described[event["type"]]["post"]
        schema = post["requestBody"]["content"]["application/json"]["schema"]
        validator = jsonschema_rs.validator_for(schema)
        assert validator.is_valid(event), list(validator.iter_errors(event))
        assert set(event["data"]) == set(schema["properties"]["data"]["required"])
        seen.add(event["type"])
    assert seen == set(WEBHOOK_EVENTS)
