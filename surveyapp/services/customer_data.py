"""A customer's data on request: everything stored about them, across journeys, as one
JSON document (a request of access), and its erasure (a request of erasure), each
recorded in the audit log. The browser, the API and the CLI all come here.

The audit log names the customer by their reference when one was given, and by a hash
of their email otherwise: a log that kept the address would undo its erasure.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from surveyapp import storage
from surveyapp.domain.errors import Invalid
from surveyapp.domain.i18n import N_, message
from surveyapp.domain.surveys import survey_for
from surveyapp.domain.text import has_control_characters
from surveyapp.services.invitations import customer_hash
from surveyapp.storage import Database

#: The format of the document, for whoever reads it later.
FORMAT = "surveyapp.customer-data/1"
MAX_IDENTIFIER = 254

NEITHER = N_("Give the customer’s reference or email address.")
TOO_LONG = N_("A reference or an email address is at most 254 characters.")


def who(ref: str | None, email: str | None) -> tuple[str | None, str | None]:
    """The reference and email asked about, trimmed; :class:`Invalid` (its message said
    in the asker's language) when neither is given or one cannot be one."""
    ref = (ref or "").strip() or None
    email = (email or "").strip() or None
    if ref is None and email is None:
        raise Invalid(message(NEITHER), code="customer_required")
    for given in (ref, email):
        if given is not None and (len(given) > MAX_IDENTIFIER or has_control_characters(given)):
            raise Invalid(message(TOO_LONG), code="invalid_customer")
    return ref, email


def audit_name(ref: str | None, email: str | None) -> str:
    """How the audit log names the customer: their reference, or a hash of their email."""
    if ref:
        return ref
    digest = hashlib.sha256((email or "").lower().encode()).hexdigest()[:16]
    return f"email sha256:{digest}"


def _counts(found: dict[str, Any]) -> dict[str, int]:
    kinds = ("invitations", "skipped", "responses", "followups", "recoveries", "emails")
    return {kind: len(found[kind]) for kind in kinds if found[kind]}


def collect(db: Database, ref: str | None, email: str | None) -> dict[str, Any]:
    """What is stored about the customer (the storage's rows), with each response's
    answers also as its survey says them, in the language it was answered in."""
    found = storage.customer_data.find(
        db, ref=ref, email=email, ref_hash=customer_hash(ref) if ref else None
    )
    journeys: dict[str, Any] = {}
    for response in found["responses"]:
        journey_id = response["journey_id"]
        if journey_id not in journeys:
            journeys[journey_id] = storage.journeys.get_journey(db, journey_id)
        journey = journeys[journey_id]
        moment = journey.moment(response["moment_id"]) if journey else None
        if moment is not None:
            survey = survey_for(journey, moment)
            response["moment_name"] = survey.moment_name(response["locale"])
            response["answers_said"] = [
                {"question": question, "answer": answer}
                for question, answer in survey.readable_answers(
                    response["answers"], response["locale"]
                )
            ]
    return found


def export(
    db: Database, ref: str | None, email: str | None, *, by: str, now: datetime | None = None
) -> dict[str, Any] | None:
    """The customer's data as one JSON-ready document, the export recorded in the audit
    log (by ``by``: an admin, or ``api:<key name>``); None (nothing recorded) when
    nothing is stored about them."""
    ref, email = who(ref, email)
    found = collect(db, ref, email)
    counts = _counts(found)
    if not counts:
        return None
    now = now or storage.utcnow()
    storage.audit.record_audit(db, by, "customer.exported", audit_name(ref, email), counts)
    return {
        "format": FORMAT,
        "exported_at": storage.iso(now),
        "asked_for": {"reference": ref, "email": email},
        "opted_out": found.pop("opted_out"),
        **found,
    }


def summary(db: Database, ref: str | None, email: str | None) -> dict[str, int]:
    """How many rows of each kind are stored about the customer (none: nothing)."""
    ref, email = who(ref, email)
    return _counts(collect(db, ref, email))


def forget(db: Database, ref: str | None, email: str | None, *, by: str) -> dict[str, int]:
    """Erase what names the customer (:func:`storage.customer_data.forget`), recorded in
    the audit log; how many rows of each kind no longer name them."""
    ref, email = who(ref, email)
    erased = storage.customer_data.forget(db, ref=ref, email=email)
    storage.audit.record_audit(
        db, by, "customer.forgotten", audit_name(ref, email), {k: v for k, v in erased.items() if v}
    )
    return erased
