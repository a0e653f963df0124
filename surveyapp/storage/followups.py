"""Follow-ups of moments of pain, and how many are open per moment (kept in step in the
same transactions, so the dashboard reads a few rows)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from surveyapp.domain.vocabulary import FOLLOWUP_DONE, FOLLOWUP_NEW
from surveyapp.storage.database import Database, iso, utcnow
from surveyapp.storage.statements import insert, once_per_dialect, run
from surveyapp.storage.tables import followup_counts, responses
from surveyapp.storage.tables import followups as followups_table
from surveyapp.storage.tallies import KEY as TALLY_KEY
from surveyapp.storage.tallies import add_to_tallies
from surveyapp.storage.transactions import transaction


def _count_upsert(db: Database):
    statement = insert(db, followup_counts)
    return statement.on_conflict_do_update(
        index_elements=["journey_id", "moment_id"],
        set_={"open": followup_counts.c.open + statement.excluded.open},
    )


_COUNT_OPEN = once_per_dialect(_count_upsert)
_OPEN_FOLLOWUP = once_per_dialect(
    lambda db: insert(db, followups_table).on_conflict_do_nothing(index_elements=["response_id"])
)


def count_open(db: Database, journey_id: str, moment_id: str, delta: int) -> None:
    run(db, _COUNT_OPEN(db), {"journey_id": journey_id, "moment_id": moment_id, "open": delta})


def open_followup(
    db: Database, response_id: int, journey_id: str, moment_id: str, when: str
) -> None:
    opened = run(
        db,
        _OPEN_FOLLOWUP(db),
        {
            "response_id": response_id,
            "journey_id": journey_id,
            "moment_id": moment_id,
            "status": FOLLOWUP_NEW,
            "updated_at": when,
        },
    ).rowcount
    if opened:
        count_open(db, journey_id, moment_id, 1)


def open_followups(db: Database, journey_id: str) -> dict[str, int]:
    """Per moment, how many moments of pain nobody has resolved yet."""
    c = followup_counts.c
    rows = db.execute(sa.select(c.moment_id, c.open).where(c.journey_id == journey_id, c.open > 0))
    return dict(rows.all())


def followups(
    db: Database,
    journey_id: str,
    *,
    status: str | None = None,
    moment_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
):
    """Moments of pain to follow up, newest first, with the response's answers."""
    f, r = followups_table.c, responses.c
    where = [f.journey_id == journey_id]
    if status:
        where.append(f.status == status)
    if moment_id:
        where.append(f.moment_id == moment_id)
    statement = (
        sa.select(
            f.response_id,
            f.moment_id,
            f.status,
            f.note,
            f.updated_at,
            f.updated_by,
            f.contact,
            f.contact_at,
            r.created_at,
            r.answers,
            r.customer_ref,
            r.locale,
            r.channel,
        )
        .join_from(followups_table, responses, r.id == f.response_id)
        .where(*where)
        .order_by(r.created_at.desc(), f.response_id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [
        {**row, "answers": json.loads(row["answers"])} for row in db.execute(statement).mappings()
    ]


def leave_contact(db: Database, response_id: int, contact: str, tally: Mapping[str, Any]) -> bool:
    """Keep the contact a customer left on their answer's follow-up, and count it in the
    answer's tally row, in one transaction; False (nothing changed) if there is no such
    follow-up or a contact was already left."""
    f = followups_table.c
    with transaction(db):
        changed = db.execute(
            sa.update(followups_table)
            .where(f.response_id == response_id, f.contact.is_(None))
            .values(contact=contact, contact_at=iso(utcnow()))
        ).rowcount
        if changed:
            add_to_tallies(db, [{**{k: tally[k] for k in TALLY_KEY}, "contact_left": 1}])
    return bool(changed)


def update_followup(
    db: Database, response_id: int, *, status: str, note: str | None, by: str
) -> bool:
    """Set a follow-up's status and note; False if there is no such follow-up."""
    f = followups_table.c
    with transaction(db):
        # FOR UPDATE: on PostgreSQL two admins changing one item take turns, so the open
        # count moves once (SQLite's write lock already orders them).
        row = db.execute(
            sa.select(f.journey_id, f.moment_id, f.status)
            .where(f.response_id == response_id)
            .with_for_update()
        ).first()
        if row is None:
            return False
        journey_id, moment_id, old = row
        db.execute(
            sa.update(followups_table)
            .where(f.response_id == response_id)
            .values(status=status, note=note, updated_at=iso(utcnow()), updated_by=by)
        )
        was_open, is_open = old != FOLLOWUP_DONE, status != FOLLOWUP_DONE
        if was_open != is_open:
            count_open(db, journey_id, moment_id, 1 if is_open else -1)
    return True
