"""Everything stored about one customer, across journeys, found by their reference or
their email address: read for a request of access, erased for a request of erasure.

A customer is matched by their reference (exactly) or their email (whatever its case):
the invitations and skipped rows that name them, the responses that name them or answer
one of those invitations, and around those responses the follow-ups (a contact they left
equal to the email counts too), the follow-ups' history, the recovery surveys and the
emails queued to them. Secrets are never read out: no token, no token hash.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from surveyapp.storage.database import Database
from surveyapp.storage.invitations import INVITATION_COLUMNS
from surveyapp.storage.statements import execute, records, value
from surveyapp.storage.tables import (
    customer_emails,
    followup_events,
    followups,
    invitation_skips,
    invitations,
    optouts,
    recoveries,
    responses,
)
from surveyapp.storage.transactions import transaction

#: An invitation as the customer's data shows it: never its token, nor our sending's
#: inner workings.
_INVITATION_FIELDS = tuple(
    name
    for name in INVITATION_COLUMNS
    if name not in ("token", "send_attempts", "last_error", "batch")
)


def _names(table: sa.Table, ref: str | None, email: str | None) -> sa.ColumnElement[bool]:
    """Rows of ``table`` (with customer_ref and email columns) that name the customer."""
    found = []
    if ref:
        found.append(table.c.customer_ref == ref)
    if email:
        found.append(sa.func.lower(table.c.email) == email.lower())
    return sa.or_(*found) if found else sa.false()


def _their_invitations(ref: str | None, email: str | None):
    return sa.select(invitations.c.id).where(_names(invitations, ref, email))


def _their_responses(ref: str | None, email: str | None):
    r = responses.c
    by_ref = [r.customer_ref == ref] if ref else []
    return sa.select(r.id).where(
        sa.or_(*by_ref, r.invitation_id.in_(_their_invitations(ref, email)))
    )


def _their_followups(ref: str | None, email: str | None):
    f = followups.c
    by_contact = [sa.func.lower(f.contact) == email.lower()] if email else []
    return sa.select(f.response_id).where(
        sa.or_(f.response_id.in_(_their_responses(ref, email)), *by_contact)
    )


def find(db: Database, *, ref: str | None, email: str | None, ref_hash: str | None) -> dict:
    """The stored rows about a customer: ``invitations``, ``skipped``, ``responses`` (with
    their answers decoded), ``followups``, ``followup_events``, ``recoveries``,
    ``emails``, and ``opted_out`` (``ref_hash``: their reference's hash, as opt-outs
    keep it)."""
    i, s, r = invitations.c, invitation_skips.c, responses.c
    f, e, rc, m = followups.c, followup_events.c, recoveries.c, customer_emails.c
    theirs = _their_responses(ref, email)
    followed = _their_followups(ref, email)
    found = {
        "invitations": records(
            db,
            sa.select(*(i[name] for name in _INVITATION_FIELDS))
            .where(_names(invitations, ref, email))
            .order_by(i.id),
        ),
        "skipped": records(
            db,
            sa.select(s.id, s.journey_id, s.moment_id, s.customer_ref, s.email)
            .add_columns(s.locale, s.reason, s.created_at)
            .where(_names(invitation_skips, ref, email))
            .order_by(s.id),
        ),
        "responses": records(
            db,
            sa.select(r.id, r.journey_id, r.moment_id, r.created_at, r.locale, r.channel)
            .add_columns(r.polarity, r.answers, r.comment, r.customer_ref, r.invitation_id)
            .where(sa.or_(r.id.in_(theirs), r.id.in_(followed)))
            .order_by(r.id),
        ),
        "followups": records(
            db,
            sa.select(f.response_id, f.status, f.note, f.contact, f.contact_at, f.owner)
            .add_columns(f.created_at, f.updated_at, f.resolved_at)
            .where(f.response_id.in_(followed))
            .order_by(f.response_id),
        ),
        "followup_events": records(
            db,
            sa.select(e.response_id, e.at, e.by, e.action, e.detail)
            .where(e.response_id.in_(followed))
            .order_by(e.id),
        ),
        "recoveries": records(
            db,
            sa.select(rc.response_id, rc.email, rc.locale, rc.sent_at, rc.expires_at)
            .add_columns(rc.answered_at, rc.answer)
            .where(sa.or_(rc.response_id.in_(followed), _email_is(rc.email, email)))
            .order_by(rc.response_id),
        ),
        "emails": records(
            db,
            sa.select(m.id, m.response_id, m.kind, m.to_address, m.subject, m.body, m.locale)
            .add_columns(m.asked_at, m.attempts, m.last_error, m.failed_at)
            .where(sa.or_(m.response_id.in_(followed), _email_is(m.to_address, email)))
            .order_by(m.id),
        ),
        "opted_out": ref_hash is not None
        and value(db, sa.select(sa.func.count()).where(optouts.c.customer_hash == ref_hash)) > 0,
    }
    for response in found["responses"]:
        response["answers"] = json.loads(response["answers"])
    return found


def _email_is(column: sa.ColumnElement, email: str | None) -> sa.ColumnElement[bool]:
    return sa.func.lower(column) == email.lower() if email else sa.false()


def forget(db: Database, *, ref: str | None, email: str | None) -> dict[str, int]:
    """Erase what names the customer: their reference and email wherever they are kept,
    the contact they left on a follow-up, the address of their recovery surveys, the
    emails still queued to them (never sent now). Their anonymous answers still count,
    and an opt-out is kept (as a hash of their reference), so they are never asked
    again. How many rows of each kind no longer name them."""
    with transaction(db):
        followed = [row["response_id"] for row in records(db, _their_followups(ref, email))]
        invited = [row["id"] for row in records(db, _their_invitations(ref, email))]
        answered = [row["id"] for row in records(db, _their_responses(ref, email))]
        counts = {
            "emails": execute(
                db,
                sa.delete(customer_emails).where(
                    sa.or_(
                        customer_emails.c.response_id.in_(followed),
                        _email_is(customer_emails.c.to_address, email),
                    )
                ),
            ),
            "recoveries": execute(
                db,
                sa.update(recoveries)
                .where(
                    sa.or_(
                        recoveries.c.response_id.in_(followed), _email_is(recoveries.c.email, email)
                    ),
                    recoveries.c.email != "",
                )
                .values(email=""),
            ),
            "followups": execute(
                db,
                sa.update(followups)
                .where(followups.c.response_id.in_(followed), followups.c.contact.is_not(None))
                .values(contact=None),
            ),
            "skipped": execute(
                db,
                sa.update(invitation_skips)
                .where(_names(invitation_skips, ref, email))
                .values(customer_ref=None, email=None),
            ),
            "invitations": execute(
                db,
                sa.update(invitations)
                .where(invitations.c.id.in_(invited))
                .values(customer_ref=None, email=None),
            ),
            "responses": execute(
                db,
                sa.update(responses)
                .where(responses.c.id.in_(answered), responses.c.customer_ref.is_not(None))
                .values(customer_ref=None),
            ),
        }
    return counts
