"""API keys and webhooks from the browser: shown once, revoked or removed, a test event
and the delivery log delivered to a real receiver on 127.0.0.1, retried now; every change
in the audit log."""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from surveyapp import storage
from surveyapp.workers import webhooks as webhook_worker
from tests.helpers import confirm_on, csrf_token, sql

PAGE = "/admin/integrations"


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True).replace("\u202f", " "))


def token_of(client) -> str:
    return csrf_token(client.get(PAGE).get_data(as_text=True))


@pytest.fixture
def receiver():
    """An HTTP server on 127.0.0.1 that answers each POST with the next status asked."""
    statuses, bodies = [], []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(statuses.pop(0) if statuses else 204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://localhost:{server.server_address[1]}/hooks", statuses, bodies
    server.shutdown()


def audit(db) -> list[str]:
    return [r[0] for r in sql(db, "SELECT action FROM audit_log ORDER BY id").fetchall()]


def test_a_key_is_shown_once_works_shows_its_last_use_and_is_revoked(manager, app, db):
    made = manager.post(f"{PAGE}/keys", data={"csrf_token": token_of(manager), "name": "crm"})
    assert made.status_code == 200
    key = re.search(r"sk_[A-Za-z0-9_-]+", made.get_data(as_text=True)).group(0)
    assert key not in manager.get(PAGE).get_data(as_text=True)  # shown only once
    api = app.test_client()
    assert (
        api.get("/api/v1/journeys", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    )
    assert "jamais" not in text(manager.get(PAGE))  # its last use is shown
    (key_id,) = [k["id"] for k in storage.apikeys.list_api_keys(db)]
    asked = manager.post(f"{PAGE}/keys/{key_id}/revoke", data={"csrf_token": token_of(manager)})
    assert "Révoquer la clé d’API crm ?" in text(asked)
    assert (
        api.get("/api/v1/journeys", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    )
    revoked = confirm_on(manager, asked)
    assert revoked.status_code == 303
    assert (
        api.get("/api/v1/journeys", headers={"Authorization": f"Bearer {key}"}).status_code == 401
    )
    assert audit(db) == ["apikey.created", "apikey.revoked"]


@pytest.mark.parametrize("name", ["", "two words", "x" * 65])
def test_a_bad_key_name_is_refused_and_nothing_is_made(manager, db, name):
    made = manager.post(f"{PAGE}/keys", data={"csrf_token": token_of(manager), "name": name})
    assert made.status_code == 422 and storage.apikeys.list_api_keys(db) == []


def test_a_webhook_gets_a_test_event_its_log_shows_a_failure_and_retry_now_delivers_it(
    manager, db, receiver
):
    url, statuses, bodies = receiver
    added = manager.post(
        f"{PAGE}/webhooks",
        data={
            "csrf_token": token_of(manager),
            "journey": "cafe",
            "url": url,
            "events": ["followup.status_changed"],
        },
    )
    assert added.status_code == 200 and "whsec_" in added.get_data(as_text=True)
    (endpoint,) = storage.webhooks.list_webhooks(db)
    log = f"{PAGE}/webhooks/{endpoint['id']}"
    token = token_of(manager)
    assert manager.post(f"{log}/test", data={"csrf_token": token}).status_code == 303
    statuses.append(500)
    assert webhook_worker.deliver_due(db, allowed_hosts=["localhost"]) == (0, 1)
    page = text(manager.get(log))
    assert "webhook.test" in page and "HTTP 500" in page and "prochaine tentative" in page
    (delivery,) = storage.webhooks.deliveries(db, endpoint["id"])
    retried = manager.post(
        f"{log}/retry", data={"csrf_token": token, "delivery": str(delivery["id"])}
    )
    assert retried.status_code == 303
    assert webhook_worker.deliver_due(db, allowed_hosts=["localhost"]) == (1, 0)
    assert b'"type":"webhook.test"' in bodies[-1]
    assert "livré le" in text(manager.get(log))
    asked = manager.post(f"{log}/remove", data={"csrf_token": token})
    assert asked.status_code == 200 and len(storage.webhooks.list_webhooks(db)) == 1
    assert confirm_on(manager, asked).status_code == 303
    assert storage.webhooks.list_webhooks(db) == []
    assert audit(db) == ["webhook.added", "webhook.test", "webhook.retry", "webhook.removed"]


@pytest.mark.parametrize(
    "fields",
    [
        {"url": "ftp://crm.example/h", "events": ["response.created"]},
        {"url": "https://crm.example/h q", "events": ["response.created"]},
        {"url": "https://crm.example/h", "events": ["response.deleted"]},
        {"url": "https://crm.example/h", "events": []},
        {"url": "", "events": ["response.created"]},
    ],
)
def test_a_bad_webhook_is_refused_and_nothing_is_added(manager, db, fields):
    added = manager.post(
        f"{PAGE}/webhooks", data={"csrf_token": token_of(manager), "journey": "cafe", **fields}
    )
    assert added.status_code == 422
    assert storage.webhooks.list_webhooks(db) == []


def test_retrying_an_unknown_delivery_or_endpoint_is_a_404(manager, db):
    storage.webhooks.add_webhook(
        db, "cafe", "https://crm.example/h", "whsec_x", ["response.created"]
    )
    (endpoint,) = storage.webhooks.list_webhooks(db)
    token = token_of(manager)
    log = f"{PAGE}/webhooks/{endpoint['id']}"
    assert (
        manager.post(f"{log}/retry", data={"csrf_token": token, "delivery": "999"}).status_code
        == 404
    )
    assert manager.post(f"{PAGE}/webhooks/999/test", data={"csrf_token": token}).status_code == 404
    assert manager.post(f"{log}/test", data={"csrf_token": "forged"}).status_code == 422
    assert storage.webhooks.deliveries(db, endpoint["id"]) == []


def test_a_webhook_to_an_internal_address_is_refused_in_the_managers_language(manager, db):
    added = manager.post(
        f"{PAGE}/webhooks",
        data={
            "csrf_token": token_of(manager),
            "journey": "cafe",
            "url": "http://0x7f000001:8080/hooks",
            "events": ["response.created"],
        },
    )
    assert added.status_code == 422
    assert "Rien n’a été ajouté : 0x7f000001 est 127.0.0.1" in text(added)
    assert storage.webhooks.list_webhooks(db) == []
