"""Responses: storing one with its tally, follow-up and webhook events in one transaction,
completing one, counting and reading them."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from surveyapp.domain.errors import Conflict
from surveyapp.domain.scoring import TALLY_FIELDS
from surveyapp.domain.vocabulary import FOLLOWUP_NEW, Polarity
from surveyapp.storage.database import Database, day_of, iso, utcnow
from surveyapp.storage.followups import count_open, open_followup
from surveyapp.storage.invitation_tallies import count_steps
from surveyapp.storage.statements import execute, prepared, records, row, stream, value
from surveyapp.storage.tables import followups, invitations, responses
from surveyapp.storage.tallies import add_to_tallies, filters
from surveyapp.storage.transactions import transaction
from surveyapp.storage.webhooks import queue_webhooks

# The submit path's statements, built once (parameters bound at each execution).
_CLAIM = prepared(
    sa.update(invitations)
    .where(invitations.c.id == sa.bindparam("invitation"), invitations.c.answered_at.is_(None))
    .values(answered_at=sa.bindparam("when"))
    # What its tally needs; opened_at is untouched, so it says whether a person had
    # opened it before (an answer counts as opened, once).
    .returning(
        invitations.c.journey_id,
        invitations.c.moment_id,
        invitations.c.created_at,
        invitations.c.locale,
        invitations.c.opened_at,
        invitations.c.email,
        invitations.c.sent_at,
    )
)
_INSERT = prepared(sa.insert(responses).returning(responses.c.id))


class AlreadyAnswered(Conflict):
    """The invitation already has its response; nothing was stored."""

    code = "already_answered"

    def __init__(self, invitation_id: int):
        super().__init__(f"Invitation {invitation_id} is already answered.")


def record_response(
    db: Database,
    *,
    journey_id: str,
    moment_id: str,
    locale: str,
    channel: str,
    polarity: str,
    answers: Mapping[str, Any],
    increments: Mapping[str, int],
    created_at: datetime | None = None,
    invitation_id: int | None = None,
    customer_ref: str | None = None,
    comment: str | None = None,
) -> int:
    """Store one response and add it to its moment's daily tally, in one transaction.

    With ``invitation_id``, the invitation is claimed in the same transaction:
    if it was already answered, AlreadyAnswered is raised and nothing is stored.
    A negative response opens a follow-up in the same transaction.
    """
    created = created_at or utcnow()
    when = iso(created)
    # Everything is prepared before the write lock: other workers queue behind it.
    response = {
        "journey_id": journey_id,
        "moment_id": moment_id,
        "created_at": when,
        "day": day_of(created),
        "locale": locale,
        "channel": channel,
        "polarity": polarity,
        "answers": json.dumps(answers, ensure_ascii=False),
        "invitation_id": invitation_id,
        "customer_ref": customer_ref,
        "comment": comment,
    }
    tally = {k: response[k] for k in ("journey_id", "moment_id", "day", "locale", "channel")}
    tally.update((f, increments.get(f, 0)) for f in TALLY_FIELDS)
    event = {
        "id": None,
        "journey": journey_id,
        "moment": moment_id,
        "created_at": when,
        "locale": locale,
        "channel": channel,
        "polarity": polarity,
        "answers": dict(answers),
        "customer": customer_ref,
    }
    with transaction(db):
        if invitation_id is not None:
            # One statement claims the link: on PostgreSQL a second node's claim waits for
            # this row, then finds it answered and changes nothing.
            claimed = row(db, _CLAIM, {"invitation": invitation_id, "when": when})
            if claimed is None:
                raise AlreadyAnswered(invitation_id)
            c = claimed
            key = (c["journey_id"], c["moment_id"], c["created_at"][:10], c["locale"])
            # An emailed link answered before its email went (its link was shared some
            # other way) reached its customer now: answered never exceeds reached.
            reached = c["email"] is not None and c["sent_at"] is None
            steps = {"answered": 1, "opened": c["opened_at"] is None, "reached": reached}
            count_steps(db, {key: steps})
        response_id = value(db, _INSERT, response)
        if polarity == Polarity.NEGATIVE:
            open_followup(db, {**response, "id": response_id}, when)
        event["id"] = response_id
        queue_webhooks(db, journey_id, polarity, event)
        add_to_tallies(db, [tally])
    return response_id


def response_of_invitation(db: Database, invitation_id: int) -> dict[str, Any] | None:
    """The response that answered an invitation, with its answers decoded."""
    r = responses.c
    data = records(
        db,
        sa.select(
            r.id,
            r.created_at,
            r.journey_id,
            r.moment_id,
            r.day,
            r.locale,
            r.channel,
            r.polarity,
            r.answers,
        ).where(r.invitation_id == invitation_id),
    )
    if not data:
        return None
    found = data[0]
    found["answers"] = json.loads(found["answers"])
    return found


def complete_response(
    db: Database,
    response: Mapping[str, Any],
    *,
    polarity: str,
    answers: Mapping[str, Any],
    old_increments: Mapping[str, int],
    increments: Mapping[str, int],
    comment: str | None = None,
) -> None:
    """Replace a response's answers (the customer finished what one click began).

    The tally row of the response's own day moves from the old answers to the new
    ones in the same transaction, so the response still counts exactly once.
    """
    key = {k: response[k] for k in ("journey_id", "moment_id", "day", "locale", "channel")}
    delta = {f: increments.get(f, 0) - old_increments.get(f, 0) for f in TALLY_FIELDS}
    with transaction(db):
        execute(
            db,
            sa.update(responses)
            .where(responses.c.id == response["id"])
            .values(
                polarity=polarity, answers=json.dumps(answers, ensure_ascii=False), comment=comment
            ),
        )
        add_to_tallies(db, [{**key, **delta}])
        if polarity == Polarity.NEGATIVE:
            open_followup(db, response, iso(utcnow()))
        else:  # no longer a moment of pain: an untouched follow-up goes away
            f = followups.c
            removed = execute(
                db,
                sa.delete(followups).where(
                    f.response_id == response["id"], f.status == FOLLOWUP_NEW, f.note.is_(None)
                ),
            )
            if removed:
                count_open(db, response["journey_id"], response["moment_id"], -1)


def count_responses(db: Database, journey_id: str | None = None) -> int:
    """How many responses are stored (for one journey, or all)."""
    statement = sa.select(sa.func.count()).select_from(responses)
    if journey_id is not None:
        statement = statement.where(responses.c.journey_id == journey_id)
    return value(db, statement)


RESPONSE_EXPORT_COLUMNS = (
    "id",
    "created_at",
    "journey_id",
    "moment_id",
    "locale",
    "channel",
    "polarity",
    "customer_ref",
    "invitation_id",
    "answers",
)


def count_matching(
    db: Database, journey_id: str, *, since=None, until=None, locale=None, channel=None
) -> int:
    """How many responses of a journey are within the filters (what an export writes)."""
    where = filters(responses, journey_id, since, until, locale, channel)
    return value(db, sa.select(sa.func.count()).select_from(responses).where(*where))


def iter_responses(
    db: Database,
    journey_id: str,
    *,
    since=None,
    until=None,
    locale=None,
    channel=None,
    with_comment: bool = False,
) -> Iterator[dict[str, Any]]:
    """Every response of a journey within the filters, oldest first, one at a time
    (``with_comment``: its comment too, for the themes it is about)."""
    names = [*RESPONSE_EXPORT_COLUMNS, *(["comment"] if with_comment else [])]
    columns = [responses.c[name] for name in names]
    statement = (
        sa.select(*columns)
        .where(*filters(responses, journey_id, since, until, locale, channel))
        .order_by(responses.c.created_at, responses.c.id)
        .execution_options(yield_per=1000)
    )
    # Streamed: a server-side cursor on PostgreSQL, so a large export is not held in memory.
    for found in stream(db, statement):
        data = dict(found)
        data["answers"] = json.loads(data["answers"])
        yield data


def response_page(
    db: Database, *, journey_id: str | None, since: date | None, after_id: int, limit: int
) -> list[dict[str, Any]]:
    """Responses with their answers, oldest first, after a response id (cursor pages)."""
    r = responses.c
    where = [r.id > after_id]
    if journey_id:
        where.append(r.journey_id == journey_id)
    if since:
        where.append(r.day >= since.isoformat())
    page = records(
        db,
        sa.select(*(r[name] for name in RESPONSE_EXPORT_COLUMNS))
        .where(*where)
        .order_by(r.id)
        .limit(limit),
    )
    for data in page:
        data["answers"] = json.loads(data["answers"])
    return page
