"""Webhooks: their secrets, their addresses and their signatures (the Standard Webhooks
scheme).

Events are written to the outbox in the response's own transaction (storage), so a
slow or dead receiver never slows a customer's submit and an event survives a
restart; the webhook worker (workers/webhooks.py) sends what is due and retries
failures with backoff.
"""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime, timedelta

import standardwebhooks

SECRET_PREFIX = "whsec_"  # noqa: S105 # nosec B105
#: Wait before each retry; after the last one the delivery is marked failed.
BACKOFF = [timedelta(seconds=s) for s in (10, 60, 300, 1800, 7200, 21600, 86400)]


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(secret: str, message_id: str, timestamp: int, payload: str) -> str:
    """The ``webhook-signature`` header (``v1,`` + base64 HMAC-SHA256 of id.timestamp.body),
    by the Standard Webhooks reference library, which receivers verify with."""
    when = datetime.fromtimestamp(timestamp, UTC)
    return standardwebhooks.Webhook(secret).sign(message_id, when, payload)
