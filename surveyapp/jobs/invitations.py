"""Invitations: a personal, single-use link to one moment's survey.

Reading a company's CSV, checking each row, applying the contact budget and
opt-outs, and creating the invitations in one transaction. No Flask here.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode

from surveyapp import storage
from surveyapp.domain.journeys import Journey
from surveyapp.domain.text import has_control_characters
from surveyapp.storage import Database

TOKEN_BYTES = 16  # 128 random bits; 22 URL-safe characters
BUDGET_WINDOW = timedelta(days=30)
MAX_CUSTOMER_REF = 200
EMAIL = re.compile(
    r"[^@\s\x00-\x1f\x7f]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)
CSV_COLUMNS = ("customer", "email", "locale")


def new_token() -> str:
    """An unguessable, URL-safe token: 128 random bits."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def customer_hash(customer_ref: str) -> str:
    """How an opted-out customer is remembered after their reference is erased."""
    return hashlib.sha256(customer_ref.strip().encode()).hexdigest()


def is_valid_email(address: str) -> bool:
    return len(address) <= 254 and EMAIL.fullmatch(address) is not None


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
class Request:
    """One invitation asked for: a CSV row or a CLI/API call."""

    customer: str
    email: str | None = None
    locale: str | None = None
    line: int | None = None


@dataclass
class Outcome:
    """What became of one request: created (with its link) or skipped (with why)."""

    request: Request
    status: str  # created, skipped
    reason: str = ""
    token: str | None = None
    link: str | None = None
    locale: str | None = None
    expires_at: str | None = None
    warnings: list[str] = field(default_factory=list)


class CsvError(ValueError):
    """The CSV as a whole cannot be read (encoding, empty, columns)."""


def read_csv(data: bytes) -> tuple[list[Request], list[str]]:
    """Rows of a spreadsheet's CSV: comma or semicolon, UTF-8 with or without BOM, CRLF.

    Returns the requests and one problem per bad row (``line N: reason``).
    Raises CsvError when the file cannot be read at all.
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CsvError(
            f"the file is not UTF-8 (byte {exc.start}); save it as “CSV UTF-8” and try again"
        ) from None
    if not text.strip():
        raise CsvError("the file is empty")
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    columns = [c.strip().lower() for c in (reader.fieldnames or [])]
    if "customer" not in columns:
        raise CsvError(
            f"the first line must name the columns customer,email,locale "
            f"(found: {', '.join(columns) or 'nothing'})"
        )
    reader.fieldnames = columns
    requests, problems = [], []
    for row in reader:
        line = reader.line_num
        if None in row:
            problems.append(f"line {line}: more cells than columns")
            continue
        values = {k: (row.get(k) or "").strip() for k in CSV_COLUMNS}
        if not any(values.values()):
            continue  # spreadsheets leave blank lines at the end
        problem = check_request(values["customer"], values["email"] or None)
        if problem:
            problems.append(f"line {line}: {problem}")
            continue
        requests.append(
            Request(values["customer"], values["email"] or None, values["locale"] or None, line)
        )
    if not requests and not problems:
        raise CsvError("the file has a header but no customer")
    return requests, problems


def check_request(customer: str, email: str | None) -> str | None:
    """Why a request cannot be an invitation, or None."""
    if not customer:
        return "the customer reference is empty"
    if len(customer) > MAX_CUSTOMER_REF:
        return f"the customer reference is longer than {MAX_CUSTOMER_REF} characters"
    if has_control_characters(customer):
        return "the customer reference contains a line break or another control character"
    if email is not None and not is_valid_email(email):
        return f"'{email}' is not a valid email address"
    return None


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
    recent = storage.recent_invitations(db, refs, since=now - BUDGET_WINDOW)
    per_customer = Counter(ref for ref, _, _ in recent)
    same_moment = {ref for ref, j, m in recent if (j, m) == (journey.id, moment_id)}
    opted_out = storage.opted_out(db, [customer_hash(ref) for ref in refs])
    outcomes = []
    for request in requests:
        outcome = Outcome(request, "created")
        locale = request.locale
        if locale and locale not in journey.locales:
            outcome.warnings.append(
                f"'{locale}' is not a language of {journey.id} "
                f"({', '.join(journey.locales)}); using '{journey.default_locale}'"
            )
            locale = None
        outcome.locale = locale or journey.default_locale
        if customer_hash(request.customer) in opted_out:
            outcome.status, outcome.reason = "skipped", "opted out of surveys"
        elif request.customer in same_moment:
            outcome.status = "skipped"
            outcome.reason = (
                f"already invited to {journey.id}/{moment_id} in the last "
                f"{budget.per_moment_days} days"
            )
        elif budget.max_per_30_days and per_customer[request.customer] >= budget.max_per_30_days:
            outcome.status = "skipped"
            outcome.reason = (
                f"contact budget reached ({budget.max_per_30_days} invitations in 30 days)"
            )
        else:
            same_moment.add(request.customer)
            per_customer[request.customer] += 1
        outcomes.append(outcome)
    return outcomes


def create_from_config(
    db: Database, journey: Journey, moment_id: str, requests: list[Request], config
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
    )


def reminders_due(
    db: Database, journey_id: str, *, after_days: int, now: datetime | None = None
) -> list[dict]:
    """Invitations to remind: sent, unanswered, unexpired, never reminded, older than
    ``after_days``, and never to a customer who opted out."""
    now = now or storage.utcnow()
    due = storage.reminders_due(
        db, journey_id, older_than=now - timedelta(days=after_days), now=now
    )
    opted = storage.opted_out(
        db, [customer_hash(r["customer_ref"]) for r in due if r["customer_ref"]]
    )
    return [
        r for r in due if not r["customer_ref"] or customer_hash(r["customer_ref"]) not in opted
    ]


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
) -> list[Outcome]:
    """Plan and store invitations, all in one transaction; return every outcome."""
    now = now or storage.utcnow()
    created_at = storage.iso(now)
    expires_at = storage.iso(now + timedelta(days=valid_days))
    # The budget is read, then invitations written: creators take turns (on SQLite the
    # write lock, on PostgreSQL a lock shared by every node), or two of them could both
    # pass the budget.
    with storage.transaction(db):
        storage.lock(db, "invitations")
        outcomes = plan(db, journey, moment_id, requests, budget=budget, now=now)
        rows = []
        for outcome in outcomes:
            if outcome.status != "created":
                continue
            outcome.token = new_token()
            outcome.link = survey_link(base_url, outcome.token)
            outcome.expires_at = expires_at
            rows.append(
                (
                    outcome.token,
                    journey.id,
                    moment_id,
                    outcome.request.customer,
                    outcome.request.email,
                    outcome.locale,
                    created_at,
                    expires_at,
                )
            )
        storage.insert_invitations(db, rows)
    return outcomes
