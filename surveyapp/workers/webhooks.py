"""The webhook worker's round: the moments above an endpoint's pain threshold queued
(services/pain_alerts.py), then every due delivery of the outbox sent once, signed
(services/webhooks.py), as a chat message to a Slack or Teams endpoint
(services/chat_messages.py), only where outgoing requests may go
(services/outgoing.py), each failure recorded in words and retried later with backoff,
then set aside.

Nothing one delivery does can stop the others: a receiver that answers something else
than HTTP, a stored address that no longer parses, an error of ours, each is that
delivery's failed attempt, said in its log, and the round goes on. Nor can one slow
receiver hold up the others: each endpoint's deliveries go in a thread of their own,
at most ENDPOINT_SECONDS of them a round (the rest are due again at once), and a round
claims at most 10 of each endpoint.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor

from surveyapp import storage
from surveyapp.domain.i18n import N_, message
from surveyapp.services import chat_messages, outgoing, pain_alerts
from surveyapp.services.webhooks import BACKOFF, sign
from surveyapp.storage import Database

log = logging.getLogger(__name__)

#: Endpoints sent to at once, and how long one endpoint may keep sending in a round.
PARALLEL_ENDPOINTS = 8
ENDPOINT_SECONDS = 30


def deliver_due(
    db: Database,
    *,
    limit: int = 100,
    allowed_hosts: Collection[str] = (),
    base_url: str | None = None,
) -> tuple[int, int]:
    """Queue the pain-share alerts now due, then send every due delivery once; return
    (delivered, failed this round). ``allowed_hosts``: the operator's
    OUTGOING_ALLOWED_HOSTS; ``base_url``: the service's address, for chat messages'
    links (none without it)."""
    pain_alerts.queue_due(db)
    by_endpoint: dict[int, list[dict]] = {}
    journeys: dict[str, object] = {}
    for item in storage.webhooks.claim_deliveries(db, storage.utcnow(), limit):
        item["body"] = _body(db, item, journeys, base_url)
        by_endpoint.setdefault(item["endpoint_id"], []).append(item)
    if not by_endpoint:
        return 0, 0
    with ThreadPoolExecutor(min(PARALLEL_ENDPOINTS, len(by_endpoint))) as pool:
        sent = list(pool.map(lambda items: _send(items, allowed_hosts), by_endpoint.values()))
    delivered = failed = 0
    untried = []
    for attempts, left in sent:  # recorded here, on this round's own connection
        untried += [item["id"] for item in left]
        for item, outcome in attempts:
            ok = _record(db, item, outcome)
            delivered, failed = delivered + ok, failed + (not ok)
    storage.webhooks.release_deliveries(db, untried, storage.utcnow())
    return delivered, failed


def _body(db: Database, item: dict, journeys: dict, base_url: str | None) -> str | None:
    """What the delivery sends (made here, on the round's own connection, before the
    threads send); None if it cannot be made, which fails that attempt."""
    journey_id = item["journey_id"]
    try:
        if journey_id not in journeys:
            journeys[journey_id] = storage.journeys.get_journey(db, journey_id)
        return chat_messages.body(item["format"], item["payload"], journeys[journey_id], base_url)
    except (ValueError, KeyError, TypeError):  # a stored event we can no longer read
        log.exception("webhook delivery %s: its message could not be made", item["id"])
        return None


def _send(items: list[dict], allowed_hosts: Collection[str]) -> tuple[list, list]:
    """One endpoint's deliveries, one after the other, for at most ENDPOINT_SECONDS:
    the attempts made (each with its outcome), and the items left for the next round."""
    started, attempts = time.monotonic(), []
    for number, item in enumerate(items):
        if time.monotonic() - started >= ENDPOINT_SECONDS:
            return attempts, items[number:]
        try:
            outcome = _attempt(item, allowed_hosts)
        except Exception as exc:  # a bug of ours fails this delivery, not the round
            log.exception("webhook delivery %s failed unexpectedly", item["id"])
            why = N_("an unexpected error in the service: %(error)s")
            outcome = outgoing.Outcome(None, message(why, error=type(exc).__name__))
        attempts.append((item, outcome))
    return attempts, []


def _record(db: Database, item: dict, outcome: outgoing.Outcome) -> bool:
    """Record an attempt: delivered (True), or failed and due again after its backoff."""
    if outcome.ok:
        storage.webhooks.mark_delivery(db, item["id"], delivered=True)
        return True
    attempt = item["attempts"]
    retry_at = storage.utcnow() + BACKOFF[attempt] if attempt < len(BACKOFF) else None
    storage.webhooks.mark_delivery(
        db, item["id"], delivered=False, error=outcome.error.stored(), retry_at=retry_at
    )
    return False


def _attempt(item: dict, allowed_hosts: Collection[str]) -> outgoing.Outcome:
    try:
        # Checked again at each delivery: the name may resolve elsewhere by now.
        where = outgoing.destination(item["url"], allowed_hosts)
    except outgoing.NotAllowed as refused:
        return outgoing.Outcome(None, refused.message)
    if item["body"] is None:
        return outgoing.Outcome(None, message(N_("its message could not be made from the event")))
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "surveyapp-webhooks/1",
        "webhook-id": item["message_id"],
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(item["secret"], item["message_id"], timestamp, item["body"]),
    }
    return outgoing.post(where, item["body"].encode(), headers)
