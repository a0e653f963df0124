"""Invitations: a personal, single-use link to one moment's survey.

Reading a company's CSV, checking each row, applying the contact budget and
opt-outs, and creating the invitations in one transaction. No Flask here.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode

from surveyapp import storage
from surveyapp.domain.i18n import N_, Message, message
from surveyapp.domain.journeys import Journey
from surveyapp.services import exports
from surveyapp.services.invitation_csv import Request
from surveyapp.storage import Database

TOKEN_BYTES = 16  # 128 random bits; 22 URL-safe characters
BUDGET_WINDOW = timedelta(days=30)


def new_token() -> str:
    """An unguessable, URL-safe token: 128 random bits."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def customer_hash(customer_ref: str) -> str:
    """How an opted-out customer is remembered after their reference is erased."""
    return hashlib.sha256(customer_ref.strip().encode()).hexdigest()


def survey_link(base_url: str, token: str) -> str:
    return f"{base_url}/s/{token}"


def public_link(
    base_url: str, journey_id: str, moment_id: str, lang: str | None, qr: bool = False
) -> str:
    """A moment's public survey link; ``qr``: marked so its answers count as from a QR
    code (``?src=qr``)."""
    query = urlencode([("src", "qr")] * qr + [("lang", lang)] * bool(lang))
    return f"{base_url}/j/{journey_id}/{moment_id}" + (f"?{query}" if query else "")


def qr_code(link: str, kind: str) -> bytes:
    """The QR code of ``link`` as an SVG or PNG file (segno: no image library needed),
    large enough to print on a receipt or a table card."""
    import io

    import segno

    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind=kind, scale=8, border=4)
    return out.getvalue()


@dataclass
class Outcome:
    """What became of one request: created (with its link) or skipped (with why)."""

    request: Request
    status: str  # created, skipped
    reason: str = ""  # in English, with the figures (the CLI's and the API's)
    reason_code: str | None = None  # of vocabulary.SKIP_REASONS, for the admin pages
    token: str | None = None
    link: str | None = None
    locale: str | None = None
    expires_at: str | None = None
    warnings: list[Message] = field(default_factory=list)
    batch: str | None = None


@dataclass(frozen=True)
class Budget:
    """The contact budget: how often one customer may be asked."""

    per_moment_days: int = 30
    max_per_30_days: int = 10  # 0: no limit


def plan(
    db: Database,
    journey: Journey,
    moment_id: str,
    requests: list[Request],
    *,
    budget: Budget,
    now: datetime,
) -> list[Outcome]:
    """Decide, for each request, whether it becomes an invitation or why not."""
    refs = sorted({r.customer for r in requests})
    recent = storage.invitations.recent_invitations(db, refs, since=now - BUDGET_WINDOW)
    per_customer = Counter(r["customer_ref"] for r in recent)
    here = (journey.id, moment_id)
    same_moment = {r["customer_ref"] for r in recent if (r["journey_id"], r["moment_id"]) == here}
    hashes = {ref: customer_hash(ref) for ref in refs}
    opted_out = storage.invitations.opted_out(db, list(hashes.values()))
    outcomes = []
    for request in requests:
        outcome = Outcome(request, "created")
        locale = request.locale
        if locale and locale not in journey.locales:
            outcome.warnings.append(
                message(
                    N_(
                        "the journey %(journey)s is not offered in “%(locale)s” (only in "
                        "%(locales)s); using “%(default)s”"
                    ),
                    locale=locale,
                    journey=journey.id,
                    locales=", ".join(journey.locales),
                    default=journey.default_locale,
                )
            )
            locale = None
        outcome.locale = locale or journey.default_locale
        if hashes[request.customer] in opted_out:
            outcome.status, outcome.reason_code = "skipped", "opted_out"
            outcome.reason = "opted out of surveys"
        elif request.customer in same_moment:
            outcome.status, outcome.reason_code = "skipped", "same_moment"
            outcome.reason = (
                f"already invited to {journey.id}/{moment_id} in the last "
                f"{budget.per_moment_days} days"
            )
        elif budget.max_per_30_days and per_customer[request.customer] >= budget.max_per_30_days:
            outcome.status, outcome.reason_code = "skipped", "budget"
            outcome.reason = (
                f"contact budget reached ({budget.max_per_30_days} invitations in 30 days)"
            )
        else:
            same_moment.add(request.customer)
            per_customer[request.customer] += 1
        outcomes.append(outcome)
    return outcomes


def create_from_config(
    db: Database,
    journey: Journey,
    moment_id: str,
    requests: list[Request],
    config,
    *,
    send: bool = False,
) -> list[Outcome]:
    """:func:`create` with the service's settings (BASE_URL, INVITATION_DAYS, CONTACT_BUDGET),
    as the CLI and the API both create invitations."""
    return create(
        db,
        journey,
        moment_id,
        requests,
        base_url=config["BASE_URL"],
        valid_days=int(config["INVITATION_DAYS"]),
        budget=Budget(max_per_30_days=int(config["CONTACT_BUDGET"])),
        send=send,
    )


def reminders_due(
    db: Database,
    journey_id: str,
    *,
    after_days: int,
    now: datetime | None = None,
    moment_id: str | None = None,
) -> list[dict]:
    """Invitations to remind (of one moment, or all): sent, unanswered, unexpired, never
    reminded, older than ``after_days``, and never to a customer who opted out."""
    now = now or storage.utcnow()
    due = storage.invitations.reminders_due(
        db, journey_id, older_than=now - timedelta(days=after_days), now=now, moment_id=moment_id
    )
    opted = storage.invitations.opted_out(
        db, [customer_hash(r["customer_ref"]) for r in due if r["customer_ref"]]
    )
    return [
        r for r in due if not r["customer_ref"] or customer_hash(r["customer_ref"]) not in opted
    ]


#: A batch larger than this holds SQLite's write lock long enough (tens of milliseconds
#: and up) that writers behind it should wait without stopping their gevent worker.
LONG_BATCH = 1000


def create(
    db: Database,
    journey: Journey,
    moment_id: str,
    requests: list[Request],
    *,
    base_url: str,
    valid_days: int,
    budget: Budget,
    now: datetime | None = None,
    send: bool = False,
    batch: str | None = None,
) -> list[Outcome]:
    """Plan and store invitations, all in one transaction, with the skipped requests and
    why (the manager sees both); with ``send``, their emails are queued for the sending
    worker in the same transaction. Every outcome carries the batch's id: ``batch``, for
    an import that creates its batch in parts, or a new one."""
    now = now or storage.utcnow()
    created_at = storage.iso(now)
    expires_at = storage.iso(now + timedelta(days=valid_days))
    batch = batch or new_batch()
    # The budget is read, then invitations written: creators take turns (on SQLite the
    # write lock, on PostgreSQL a lock shared by every node), or two of them could both
    # pass the budget.
    with storage.transaction(db, long=len(requests) > LONG_BATCH):
        storage.lock(db, "invitations")
        outcomes = plan(db, journey, moment_id, requests, budget=budget, now=now)
        rows, skips = [], []
        for outcome in outcomes:
            outcome.batch = batch
            common = {
                "batch": batch,
                "journey_id": journey.id,
                "moment_id": moment_id,
                "customer_ref": outcome.request.customer,
                "email": outcome.request.email,
                "locale": outcome.locale,
                "created_at": created_at,
            }
            if outcome.status != "created":
                skips.append({**common, "reason": outcome.reason_code})
                continue
            outcome.token = new_token()
            outcome.link = survey_link(base_url, outcome.token)
            outcome.expires_at = expires_at
            rows.append({**common, "token": outcome.token, "expires_at": expires_at})
        storage.invitations.insert_invitations(db, rows, skips)
        if send:
            tokens = [row["token"] for row in rows if row["email"]]
            storage.mail_queue.queue_tokens(db, tokens, now)
    return outcomes


#: The columns of links.csv: each requested customer, with their link or why skipped.
LINKS_HEADER = ["customer", "email", "locale", "link", "status", "reason"]


def links_csv(rows: Iterable[Sequence]) -> Iterator[str]:
    """links.csv for a mail merge, from (customer, email, locale, link, status, reason)
    rows: UTF-8 with BOM and CRLF for Excel, no cell read as a formula; the CLI's
    ``--out`` and the admin page's download alike."""
    return exports.csv_stream(LINKS_HEADER, rows, ",")


def new_batch() -> str:
    """The id of one upload or call: what its links.csv and its results are found by."""
    return secrets.token_urlsafe(9)
