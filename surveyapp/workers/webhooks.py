"""The webhook worker's round: every due delivery of the outbox sent once, signed
(services/webhooks.py), only where outgoing requests may go (services/outgoing.py), each
failure recorded in words and retried later with backoff, then set aside.

Nothing one delivery does can stop the others: a receiver that answers something else
than HTTP, a stored address that no longer parses, an error of ours, each is that
delivery's failed attempt, said in its log, and the round goes on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection

from surveyapp import storage
from surveyapp.domain.i18n import N_, message
from surveyapp.services import outgoing
from surveyapp.services.webhooks import BACKOFF, sign
from surveyapp.storage import Database

log = logging.getLogger(__name__)


def deliver_due(
    db: Database, *, limit: int = 100, allowed_hosts: Collection[str] = ()
) -> tuple[int, int]:
    """Send every due delivery once; return (delivered, failed this round).
    ``allowed_hosts``: the operator's OUTGOING_ALLOWED_HOSTS."""
    delivered = failed = 0
    for item in storage.webhooks.claim_deliveries(db, storage.utcnow(), limit):
        try:
            outcome = _attempt(item, allowed_hosts)
        except Exception as exc:  # a bug of ours fails this delivery, not the round
            log.exception("webhook delivery %s failed unexpectedly", item["id"])
            why = N_("an unexpected error in the service: %(error)s")
            outcome = outgoing.Outcome(None, message(why, error=type(exc).__name__))
        if outcome.ok:
            storage.webhooks.mark_delivery(db, item["id"], delivered=True)
            delivered += 1
            continue
        failed += 1
        attempt = item["attempts"]
        retry_at = storage.utcnow() + BACKOFF[attempt] if attempt < len(BACKOFF) else None
        storage.webhooks.mark_delivery(
            db, item["id"], delivered=False, error=outcome.error.stored(), retry_at=retry_at
        )
    return delivered, failed


def _attempt(item: dict, allowed_hosts: Collection[str]) -> outgoing.Outcome:
    try:
        # Checked again at each delivery: the name may resolve elsewhere by now.
        where = outgoing.destination(item["url"], allowed_hosts)
    except outgoing.NotAllowed as refused:
        return outgoing.Outcome(None, refused.message)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "surveyapp-webhooks/1",
        "webhook-id": item["message_id"],
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(item["secret"], item["message_id"], timestamp, item["payload"]),
    }
    return outgoing.post(where, item["payload"].encode(), headers)
