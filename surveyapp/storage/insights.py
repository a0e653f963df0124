"""What insights and simulations read and write in bulk: linked answers per customer,
simulated invitations and responses."""

from __future__ import annotations

import json
import secrets
from datetime import UTC
from typing import Any

from sqlite_utils import Database

from surveyapp.domain.scoring import TALLY_FIELDS
from surveyapp.domain.vocabulary import CHANNEL_EMAIL, FOLLOWUP_NEW
from surveyapp.storage.database import immediate, iso
from surveyapp.storage.followups import count_open
from surveyapp.storage.tallies import TALLY_UPSERT


def linked_responses(
    db: Database, journey_id: str, nps_key: str | None, outcome_moment_id: str | None = None
):
    """(customer, moment, polarity, NPS answer) of every response with a customer, in the
    order they were given, so a later answer replaces an earlier one.

    In id order, which is the order they were stored: a plain scan of the table, faster
    than walking the (journey_id, created_at) index and fetching each row (measured).
    Only the outcome moment's answers are parsed for their NPS value.
    """
    return db.execute(
        "SELECT customer_ref, moment_id, polarity, "
        "CASE WHEN ? IS NOT NULL AND moment_id = ? THEN json_extract(answers, '$.' || ?) END "
        "FROM responses WHERE journey_id = ? AND customer_ref IS NOT NULL ORDER BY id",
        [nps_key, outcome_moment_id, nps_key, journey_id],
    )


def load_simulated(db: Database, journey_id: str, rows: list[dict[str, Any]], increments_of) -> int:
    """Write simulated invitations and their responses in one transaction, keeping the
    tallies, follow-ups and their counts exactly as single submits would."""
    tallies: dict[tuple, dict[str, int]] = {}
    with immediate(db):
        next_id = db.execute("SELECT COALESCE(MAX(id), 0) FROM invitations").fetchone()[0] + 1
        invitations, responses = [], []
        for offset, row in enumerate(rows):
            invitation_id = next_id + offset
            created = iso(row["created_at"])
            day = row["created_at"].astimezone(UTC).date().isoformat()
            invitations.append(
                (
                    invitation_id,
                    secrets.token_urlsafe(16),
                    journey_id,
                    row["moment_id"],
                    row["customer"],
                    None,
                    row["locale"],
                    created,
                    created,
                    created,
                )
            )
            responses.append(
                (
                    journey_id,
                    row["moment_id"],
                    created,
                    day,
                    row["locale"],
                    CHANNEL_EMAIL,
                    row["polarity"],
                    json.dumps(row["answers"]),
                    invitation_id,
                    row["customer"],
                    None,
                )
            )
            key = (journey_id, row["moment_id"], day, row["locale"], CHANNEL_EMAIL)
            total = tallies.setdefault(key, dict.fromkeys(TALLY_FIELDS, 0))
            for name, value in increments_of(row).items():
                total[name] += value
        db.conn.executemany(
            "INSERT INTO invitations (id, token, journey_id, moment_id, customer_ref, email, "
            "locale, created_at, expires_at, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            invitations,
        )
        db.conn.executemany(
            "INSERT INTO responses (journey_id, moment_id, created_at, day, locale, channel, "
            "polarity, answers, invitation_id, customer_ref, comment) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            responses,
        )
        db.conn.executemany(
            TALLY_UPSERT,
            [[*key, *(total[f] for f in TALLY_FIELDS)] for key, total in tallies.items()],
        )
        db.execute(
            "INSERT INTO followups (response_id, journey_id, moment_id, status, updated_at) "
            "SELECT id, journey_id, moment_id, ?, created_at FROM responses "
            "WHERE journey_id = ? AND polarity = 'negative' AND invitation_id >= ?",
            [FOLLOWUP_NEW, journey_id, next_id],
        )
        for moment_id, count in db.execute(
            "SELECT moment_id, COUNT(*) FROM responses WHERE journey_id = ? AND "
            "polarity = 'negative' AND invitation_id >= ? GROUP BY moment_id",
            [journey_id, next_id],
        ).fetchall():
            count_open(db, journey_id, moment_id, count)
    return len(rows)
