"""Follow-ups of moments of pain, and how many are open per moment (kept in step in the
same transactions, so the dashboard reads a few rows)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from surveyapp.domain.errors import Conflict, NotFound
from surveyapp.domain.vocabulary import (
    FOLLOWUP_CONTACTED,
    FOLLOWUP_DONE,
    FOLLOWUP_NEW,
    FOLLOWUP_STATUS_EVENT,
)
from surveyapp.storage.database import Database, iso, utcnow
from surveyapp.storage.inbox import record_event
from surveyapp.storage.statements import execute, insert, once_per_dialect, row, rows, value
from surveyapp.storage.tables import followup_counts, responses
from surveyapp.storage.tables import followups as followups_table
from surveyapp.storage.tallies import KEY as TALLY_KEY
from surveyapp.storage.tallies import add_to_tallies
from surveyapp.storage.transactions import transaction
from surveyapp.storage.webhooks import queue_event


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
    execute(db, _COUNT_OPEN(db), {"journey_id": journey_id, "moment_id": moment_id, "open": delta})


def open_followup(db: Database, response: Mapping[str, Any], when: str) -> None:
    """Open the follow-up of a negative response (``id``, ``journey_id``, ``moment_id``,
    ``created_at``, ``channel``, ``locale``); once only."""
    journey_id, moment_id = response["journey_id"], response["moment_id"]
    opened = execute(
        db,
        _OPEN_FOLLOWUP(db),
        {
            "response_id": response["id"],
            "journey_id": journey_id,
            "moment_id": moment_id,
            "status": FOLLOWUP_NEW,
            "updated_at": when,
            "created_at": response["created_at"],
            "channel": response["channel"],
            "locale": response["locale"],
        },
    )
    if opened:
        count_open(db, journey_id, moment_id, 1)


def open_followups(db: Database, journey_id: str) -> dict[str, int]:
    """Per moment, how many moments of pain nobody has resolved yet."""
    c = followup_counts.c
    counts = sa.select(c.moment_id, c.open).where(c.journey_id == journey_id, c.open > 0)
    return {found["moment_id"]: found["open"] for found in rows(db, counts)}


def leave_contact(db: Database, response_id: int, contact: str, tally: Mapping[str, Any]) -> bool:
    """Keep the contact a customer left on their answer's follow-up, and count it in the
    answer's tally row, in one transaction; False (nothing changed) if there is no such
    follow-up or a contact was already left."""
    f = followups_table.c
    with transaction(db):
        changed = execute(
            db,
            sa.update(followups_table)
            .where(f.response_id == response_id, f.contact.is_(None))
            .values(contact=contact, contact_at=iso(utcnow())),
        )
        if changed:
            add_to_tallies(db, [{**{k: tally[k] for k in TALLY_KEY}, "contact_left": 1}])
    return bool(changed)


class NoSuchFollowup(NotFound):
    """No follow-up of that journey has that id; nothing was changed."""

    def __init__(self, response_id: int):
        super().__init__(f"No follow-up {response_id}.")


class StaleFollowup(Conflict):
    """The follow-up changed since the page that edits it was made; nothing was changed."""

    code = "stale_revision"

    def __init__(self, response_id: int):
        super().__init__(f"Follow-up {response_id} changed since that revision.")


#: A field :func:`update_followup` leaves as it is.
KEEP: Any = object()


def update_followup(
    db: Database,
    response_id: int,
    *,
    by: str | None,
    status: str = KEEP,
    note: str | None = KEEP,
    owner: str | None = KEEP,
    revision: int | None = None,
    journey_id: str | None = None,
) -> bool:
    """Change a follow-up's status, note or owner, keep each change in its history and
    move the journey's open count with it, in one transaction. True if anything changed.

    With ``revision`` (what the editing page saw), a follow-up changed since is refused
    (:class:`StaleFollowup`); with ``journey_id``, one of another journey is not found
    (:class:`NoSuchFollowup`)."""
    f = followups_table.c
    with transaction(db):
        # FOR UPDATE: on PostgreSQL two admins changing one item take turns, so the open
        # count moves once (SQLite's write lock already orders them).
        item = row(
            db,
            sa.select(
                f.journey_id,
                f.moment_id,
                f.status,
                f.note,
                f.owner,
                f.revision,
                responses.c.customer_ref,
            )
            .join_from(followups_table, responses, responses.c.id == f.response_id)
            .where(f.response_id == response_id)
            .with_for_update(of=followups_table),
        )
        if item is None or (journey_id is not None and item["journey_id"] != journey_id):
            raise NoSuchFollowup(response_id)
        if revision is not None and revision != item["revision"]:
            raise StaleFollowup(response_id)
        asked = {"status": status, "note": note, "owner": owner}
        changes = {
            name: wanted
            for name, wanted in asked.items()
            if wanted is not KEEP and wanted != item[name]
        }
        if not changes:
            return False
        now = iso(utcnow())
        values = {**changes, "updated_at": now, "updated_by": by, "revision": item["revision"] + 1}
        if "status" in changes:
            values["resolved_at"] = now if status == FOLLOWUP_DONE else None
        execute(db, sa.update(followups_table).where(f.response_id == response_id).values(values))
        for name, wanted in changes.items():
            record_event(db, response_id, now, by, name, {"from": item[name], "to": wanted})
        if "status" in changes:
            queue_event(
                db,
                item["journey_id"],
                FOLLOWUP_STATUS_EVENT,
                {
                    "id": response_id,
                    "journey": item["journey_id"],
                    "moment": item["moment_id"],
                    "customer": item["customer_ref"],
                    "from": item["status"],
                    "to": status,
                    "owner": changes.get("owner", item["owner"]),
                    "by": by,
                    "at": now,
                },
            )
        was_open = item["status"] != FOLLOWUP_DONE
        is_open = changes.get("status", item["status"]) != FOLLOWUP_DONE
        if was_open != is_open:
            count_open(db, item["journey_id"], item["moment_id"], 1 if is_open else -1)
    return True


def log_contact(
    db: Database, response_id: int, *, by: str | None, detail: dict, action: str = "contact"
) -> None:
    """Keep in an item's history that its customer was contacted (``action``: emailed,
    or ``call``: phoned; ``detail``: to whom, what), and mark an open item contacted, in
    one transaction."""
    with transaction(db):
        record_event(db, response_id, iso(utcnow()), by, action, detail)
        f = followups_table.c
        status = value(db, sa.select(f.status).where(f.response_id == response_id))
        if status == FOLLOWUP_NEW:
            update_followup(db, response_id, by=by, status=FOLLOWUP_CONTACTED)


def update_followups(
    db: Database, journey_id: str, response_ids: list[int], *, by: str | None, **changes
) -> int:
    """Make the same change to several follow-ups of a journey, all or none (a bulk
    action): how many changed. An id of another journey raises :class:`NoSuchFollowup`."""
    with transaction(db):
        return sum(
            update_followup(db, response_id, by=by, journey_id=journey_id, **changes)
            for response_id in dict.fromkeys(response_ids)
        )


def owned_by(db: Database, username: str) -> list[int]:
    """The follow-ups an account owns."""
    f = followups_table.c
    return [r["response_id"] for r in rows(db, sa.select(f.response_id).where(f.owner == username))]


def unassign(db: Database, username: str, *, by: str | None) -> int:
    """Give back to the shared inbox every follow-up an account owns (its account is
    going), each change kept in the item's history; how many."""
    with transaction(db):
        owned = owned_by(db, username)
        for response_id in owned:
            update_followup(db, response_id, by=by, owner=None)
    return len(owned)
