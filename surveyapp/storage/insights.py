"""What insights and simulations read and write in bulk: linked answers per customer,
simulated invitations and responses."""

from __future__ import annotations

import json
import secrets
from collections import Counter
from typing import Any

import sqlalchemy as sa

from surveyapp.domain.scoring import TALLY_FIELDS
from surveyapp.domain.vocabulary import CHANNEL_EMAIL, FOLLOWUP_NEW, Polarity
from surveyapp.storage.database import Database, day_of, is_postgres, iso
from surveyapp.storage.followups import count_open
from surveyapp.storage.statements import execute, once_per_dialect, rows
from surveyapp.storage.tables import followups, invitations, responses
from surveyapp.storage.tallies import KEY as TALLY_KEY
from surveyapp.storage.tallies import add_to_tallies
from surveyapp.storage.transactions import transaction


@once_per_dialect
def _linked(db: Database):
    r = responses.c
    # On SQLite a plain scan in id order (0.5 s for 365,000 rows) beats the planner's
    # choice, the journey index then a sort (1.3 s): `|| ''` keeps it off the index.
    journey = r.journey_id.concat("") if not is_postgres(db) else r.journey_id
    return (
        sa.select(
            r.customer_ref,
            r.moment_id,
            r.polarity,
            sa.case((r.moment_id == sa.bindparam("outcome"), r.answers)).label("outcome"),
        )
        .where(journey == sa.bindparam("journey"), r.customer_ref.is_not(None))
        .order_by(r.id)
    )


def linked_responses(
    db: Database, journey_id: str, nps_key: str | None, outcome_moment_id: str | None = None
) -> list[tuple[str, str, str, Any]]:
    """(customer, moment, polarity, NPS answer) of every response with a customer, in the
    order they were given, so a later answer replaces an earlier one.

    In id order, which is the order they were stored: a plain scan of the table, faster
    than walking the (journey_id, created_at) index and fetching each row (measured),
    as long as one journey is a good part of the table.
    Only the outcome moment's answers are read and parsed for their NPS value (in Python:
    the engines' JSON functions differ). On the driver's cursor: a journey of 100,000
    customers is some 400,000 rows, and SQLAlchemy's row machinery doubled the read.
    """
    found = rows(db, _linked(db), {"outcome": outcome_moment_id, "journey": journey_id})
    loads = json.loads
    return [
        (
            r["customer_ref"],
            r["moment_id"],
            r["polarity"],
            loads(r["outcome"]).get(nps_key) if nps_key and r["outcome"] else None,
        )
        for r in found
    ]


def load_simulated(
    db: Database, journey_id: str, drawn: list[dict[str, Any]], increments_of
) -> int:
    """Write simulated invitations and their responses in one transaction, keeping the
    tallies, follow-ups and their counts exactly as single submits would."""
    tallies: dict[tuple, dict[str, int]] = {}
    with transaction(db, long=True):
        invited = [
            made["id"]
            for made in rows(
                db,
                sa.insert(invitations).returning(invitations.c.id, sort_by_parameter_order=True),
                [
                    {
                        "token": secrets.token_urlsafe(16),
                        "journey_id": journey_id,
                        "moment_id": row["moment_id"],
                        "customer_ref": row["customer"],
                        "email": None,
                        "locale": row["locale"],
                        "created_at": iso(row["created_at"]),
                        "expires_at": iso(row["created_at"]),
                        "answered_at": iso(row["created_at"]),
                    }
                    for row in drawn
                ],
            )
        ]
        answered = []
        for invitation_id, row in zip(invited, drawn, strict=True):
            day = day_of(row["created_at"])
            answered.append(
                {
                    "journey_id": journey_id,
                    "moment_id": row["moment_id"],
                    "created_at": iso(row["created_at"]),
                    "day": day,
                    "locale": row["locale"],
                    "channel": CHANNEL_EMAIL,
                    "polarity": row["polarity"],
                    "answers": json.dumps(row["answers"]),
                    "invitation_id": invitation_id,
                    "customer_ref": row["customer"],
                    "comment": row.get("comment"),
                }
            )
            key = (journey_id, row["moment_id"], day, row["locale"], CHANNEL_EMAIL)
            total = tallies.setdefault(key, dict.fromkeys(TALLY_FIELDS, 0))
            for name, value in increments_of(row).items():
                total[name] += value
        stored = rows(
            db,
            sa.insert(responses).returning(responses.c.id, sort_by_parameter_order=True),
            answered,
        )
        pains = [
            {**item, "id": made["id"]}
            for made, item in zip(stored, answered, strict=True)
            if item["polarity"] == Polarity.NEGATIVE
        ]
        if pains:
            execute(
                db,
                sa.insert(followups),
                [
                    {
                        "response_id": pain["id"],
                        "journey_id": journey_id,
                        "moment_id": pain["moment_id"],
                        "status": FOLLOWUP_NEW,
                        "updated_at": pain["created_at"],
                        "created_at": pain["created_at"],
                        "channel": pain["channel"],
                        "locale": pain["locale"],
                    }
                    for pain in pains
                ],
            )
        add_to_tallies(
            db,
            [dict(zip(TALLY_KEY, key, strict=True), **total) for key, total in tallies.items()],
        )
        for moment_id, count in Counter(pain["moment_id"] for pain in pains).items():
            count_open(db, journey_id, moment_id, count)
    return len(drawn)
