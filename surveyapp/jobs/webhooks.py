"""Webhooks: signed per the Standard Webhooks scheme, delivered from a SQLite outbox.

Events are written to the outbox in the response's own transaction (storage), so a
slow or dead receiver never slows a customer's submit and an event survives a
restart. ``deliver_due`` sends what is due and retries failures with backoff.
"""

from __future__ import annotations

import base64
import re
import secrets
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

import standardwebhooks

from surveyapp import storage
from surveyapp.storage import Database

SECRET_PREFIX = "whsec_"  # noqa: S105 # nosec B105
#: Wait before each retry; after the last one the delivery is marked failed.
BACKOFF = [timedelta(seconds=s) for s in (10, 60, 300, 1800, 7200, 21600, 86400)]
TIMEOUT_SECONDS = 10


#: What a webhook's URL may be: http(s), no spaces or control characters.
URL = re.compile(r"https?://[^\s\x00-\x1f\x7f]+")


def valid_url(url: str) -> bool:
    """Whether ``url`` can receive webhooks (checked when an endpoint is added)."""
    return len(url) <= 2000 and URL.fullmatch(url) is not None


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(secret: str, message_id: str, timestamp: int, payload: str) -> str:
    """The ``webhook-signature`` header (``v1,`` + base64 HMAC-SHA256 of id.timestamp.body),
    by the Standard Webhooks reference library, which receivers verify with."""
    when = datetime.fromtimestamp(timestamp, UTC)
    return standardwebhooks.Webhook(secret).sign(message_id, when, payload)


def deliver_due(db: Database, *, limit: int = 100) -> tuple[int, int]:
    """Send every due delivery once; return (delivered, failed this round)."""
    delivered = failed = 0
    for item in storage.claim_deliveries(db, storage.utcnow(), limit):
        timestamp = int(time.time())
        request = urllib.request.Request(  # noqa: S310 - URLs are http(s), checked when added
            item["url"],
            data=item["payload"].encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": "surveyapp-webhooks/1",
                "webhook-id": item["message_id"],
                "webhook-timestamp": str(timestamp),
                "webhook-signature": sign(
                    item["secret"], item["message_id"], timestamp, item["payload"]
                ),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 # nosec B310
                ok = 200 <= response.status < 300
                error = None if ok else f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            ok, error = False, f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError) as exc:
            ok, error = False, f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
        if ok:
            storage.mark_delivery(db, item["id"], delivered=True)
            delivered += 1
            continue
        failed += 1
        attempt = item["attempts"]
        retry_at = storage.utcnow() + BACKOFF[attempt] if attempt < len(BACKOFF) else None
        storage.mark_delivery(db, item["id"], delivered=False, error=error, retry_at=retry_at)
    return delivered, failed
