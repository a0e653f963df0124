"""Responses: storing one with its tally, follow-up and webhook events in one transaction,
completing one, counting and reading them."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlite_utils import Database

from surveyapp.domain.scoring import TALLY_FIELDS
from surveyapp.domain.vocabulary import FOLLOWUP_NEW
from surveyapp.storage.database import immediate, iso, utcnow
from surveyapp.storage.followups import count_open, open_followup
from surveyapp.storage.tallies import TALLY_UPSERT, filters
from surveyapp.storage.webhooks import queue_webhooks


class AlreadyAnswered(Exception):
    """The invitation already has its response; nothing was stored."""


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
    row = [
        journey_id,
        moment_id,
        when,
        created.astimezone(UTC).date().isoformat(),
        locale,
        channel,
        polarity,
        json.dumps(answers, ensure_ascii=False),
        invitation_id,
        customer_ref,
        comment,
    ]
    tally = [*row[:2], row[3], locale, channel, *(increments.get(f, 0) for f in TALLY_FIELDS)]
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
    with immediate(db):
        if invitation_id is not None:
            claimed = db.execute(
                "UPDATE invitations SET answered_at = ? WHERE id = ? AND answered_at IS NULL",
                [when, invitation_id],
            ).rowcount
            if not claimed:
                raise AlreadyAnswered(invitation_id)
        cursor = db.execute(
            """INSERT INTO responses (journey_id, moment_id, created_at, day, locale, channel,
                                      polarity, answers, invitation_id, customer_ref, comment)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            row,
        )
        if polarity == "negative":
            open_followup(db, cursor.lastrowid, journey_id, moment_id, when)
        event["id"] = cursor.lastrowid
        queue_webhooks(db, journey_id, polarity, event)
        db.execute(TALLY_UPSERT, tally)
    return cursor.lastrowid


def response_of_invitation(db: Database, invitation_id: int) -> dict[str, Any] | None:
    """The response that answered an invitation, with its answers decoded."""
    row = db.execute(
        "SELECT id, journey_id, moment_id, day, locale, channel, polarity, answers "
        "FROM responses WHERE invitation_id = ?",
        [invitation_id],
    ).fetchone()
    if row is None:
        return None
    keys = ("id", "journey_id", "moment_id", "day", "locale", "channel", "polarity", "answers")
    data = dict(zip(keys, row, strict=True))
    data["answers"] = json.loads(data["answers"])
    return data


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
    key = [
        response["journey_id"],
        response["moment_id"],
        response["day"],
        response["locale"],
        response["channel"],
    ]
    delta = [increments.get(f, 0) - old_increments.get(f, 0) for f in TALLY_FIELDS]
    with immediate(db):
        db.execute(
            "UPDATE responses SET polarity = ?, answers = ?, comment = ? WHERE id = ?",
            [polarity, json.dumps(answers, ensure_ascii=False), comment, response["id"]],
        )
        db.execute(TALLY_UPSERT, [*key, *delta])
        if polarity == "negative":
            open_followup(
                db, response["id"], response["journey_id"], response["moment_id"], iso(utcnow())
            )
        else:  # no longer a moment of pain: an untouched follow-up goes away
            removed = db.execute(
                "DELETE FROM followups WHERE response_id = ? AND status = ? AND note IS NULL",
                [response["id"], FOLLOWUP_NEW],
            ).rowcount
            if removed:
                count_open(db, response["journey_id"], response["moment_id"], -1)


def count_responses(db: Database, journey_id: str | None = None) -> int:
    """How many responses are stored (for one journey, or all)."""
    if journey_id is None:
        return db.execute("SELECT COUNT(*) FROM responses").fetchone()[0]
    return db.execute(
        "SELECT COUNT(*) FROM responses WHERE journey_id = ?", [journey_id]
    ).fetchone()[0]


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


def iter_responses(
    db: Database, journey_id: str, *, since=None, until=None, locale=None, channel=None
) -> Iterator[dict[str, Any]]:
    """Every response of a journey within the filters, oldest first, one at a time."""
    where, params = filters(journey_id, since, until, locale, channel)
    cursor = db.execute(
        f"SELECT {', '.join(RESPONSE_EXPORT_COLUMNS)} FROM responses WHERE {where} "  # noqa: S608 # nosec B608
        "ORDER BY created_at, id",
        params,
    )
    for row in cursor:
        data = dict(zip(RESPONSE_EXPORT_COLUMNS, row, strict=True))
        data["answers"] = json.loads(data["answers"])
        yield data


def response_page(
    db: Database, *, journey_id: str | None, since: date | None, after_id: int, limit: int
) -> list[dict[str, Any]]:
    """Responses with their answers, oldest first, after a response id (cursor pages)."""
    where, params = ["id > ?"], [after_id]
    if journey_id:
        where.append("journey_id = ?")
        params.append(journey_id)
    if since:
        where.append("day >= ?")
        params.append(since.isoformat())
    rows = db.execute(
        f"SELECT {', '.join(RESPONSE_EXPORT_COLUMNS)} FROM responses "  # noqa: S608 # nosec B608
        f"WHERE {' AND '.join(where)} ORDER BY id LIMIT ?",
        [*params, limit],
    ).fetchall()
    page = []
    for row in rows:
        data = dict(zip(RESPONSE_EXPORT_COLUMNS, row, strict=True))
        data["answers"] = json.loads(data["answers"])
        page.append(data)
    return page
