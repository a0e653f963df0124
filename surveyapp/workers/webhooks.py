"""The webhook worker's round: every due delivery of the outbox sent once, signed
(services/webhooks.py), each failure retried later with backoff, then set aside."""

from __future__ import annotations

import time
import urllib.error
import urllib.request

from surveyapp import storage
from surveyapp.services.webhooks import BACKOFF, TIMEOUT_SECONDS, sign
from surveyapp.storage import Database


def deliver_due(db: Database, *, limit: int = 100) -> tuple[int, int]:
    """Send every due delivery once; return (delivered, failed this round)."""
    delivered = failed = 0
    for item in storage.webhooks.claim_deliveries(db, storage.utcnow(), limit):
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
            storage.webhooks.mark_delivery(db, item["id"], delivered=True)
            delivered += 1
            continue
        failed += 1
        attempt = item["attempts"]
        retry_at = storage.utcnow() + BACKOFF[attempt] if attempt < len(BACKOFF) else None
        storage.webhooks.mark_delivery(
            db, item["id"], delivered=False, error=error, retry_at=retry_at
        )
    return delivered, failed
