"""Storage: the one module that knows the SQLite file, its schema and its queries.

Built on sqlite-utils. The schema is created by explicit, named migrations
(:data:`migrations`), never by a first insert. Each response is written in one
transaction together with its moment's daily tally, so scores are read from a
few tally rows instead of a scan of every response.

SQL built with f-strings here (marked ``nosec B608``) only joins this module's own
column names, placeholders and WHERE clauses; every value is bound as a parameter.
"""

from __future__ import annotations

import fcntl
import json
import secrets
import sqlite3
import weakref
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database, Migrations

from surveyapp.journeys import Journey, Moment
from surveyapp.scoring import TALLY_FIELDS

BUSY_TIMEOUT_MS = 5000

migrations = Migrations("surveyapp")


@migrations()
def m001_journeys_moments_responses(db: Database) -> None:
    db["journeys"].create(
        {
            "id": str,
            "brand": str,
            "default_locale": str,
            "locales": str,
            "definition": str,
            "digest": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={
            "brand",
            "default_locale",
            "locales",
            "definition",
            "digest",
            "created_at",
            "updated_at",
        },
    )
    db["moments"].create(
        {
            "journey_id": str,
            "id": str,
            "position": int,
            "kind": str,
            "channel": str,
            "name": str,
            "questions": str,
            "retired": int,
        },
        pk=("journey_id", "id"),
        foreign_keys=[("journey_id", "journeys", "id")],
        not_null={"position", "kind", "channel", "name", "retired"},
        defaults={"retired": 0},
    )
    db["responses"].create(
        {
            "id": int,
            "journey_id": str,
            "moment_id": str,
            "created_at": str,
            "day": str,
            "locale": str,
            "channel": str,
            "polarity": str,
            "answers": str,
        },
        pk="id",
        foreign_keys=[("journey_id", "journeys", "id")],
        not_null={
            "journey_id",
            "moment_id",
            "created_at",
            "day",
            "locale",
            "channel",
            "polarity",
            "answers",
        },
    )
    # Listing a moment's responses, newest first, with a date range.
    db["responses"].create_index(["journey_id", "moment_id", "created_at"])
    tally_columns: dict[str, Any] = {
        "journey_id": str,
        "moment_id": str,
        "day": str,
        "locale": str,
        "channel": str,
    }
    tally_columns.update(dict.fromkeys(TALLY_FIELDS, int))
    # The primary key serves the score query: one journey, grouped by moment,
    # filtered by a day range.
    db["daily_tallies"].create(
        tally_columns,
        pk=("journey_id", "moment_id", "day", "locale", "channel"),
        not_null=set(TALLY_FIELDS),
        defaults=dict.fromkeys(TALLY_FIELDS, 0),
    )


@migrations()
def m002_invitations_and_optouts(db: Database) -> None:
    db["invitations"].create(
        {
            "id": int,
            "token": str,
            "journey_id": str,
            "moment_id": str,
            "customer_ref": str,
            "email": str,
            "locale": str,
            "created_at": str,
            "expires_at": str,
            "sent_at": str,
            "send_attempts": int,
            "last_error": str,
            "reminded_at": str,
            "answered_at": str,
        },
        pk="id",
        foreign_keys=[("journey_id", "journeys", "id")],
        not_null={
            "token",
            "journey_id",
            "moment_id",
            "locale",
            "created_at",
            "expires_at",
            "send_attempts",
        },
        defaults={"send_attempts": 0},
    )
    db["invitations"].create_index(["token"], unique=True)
    # The contact budget: a customer's invitations of the last 30 days.
    db["invitations"].create_index(["customer_ref", "created_at"])
    # Reminders: a journey's unanswered invitations by age.
    db["invitations"].create_index(["journey_id", "answered_at", "created_at"])
    db["responses"].add_column("invitation_id", int)
    db["responses"].add_column("customer_ref", str)
    # The last line of defence against counting one invitation twice.
    db.execute(
        "CREATE UNIQUE INDEX responses_one_per_invitation ON responses (invitation_id) "
        "WHERE invitation_id IS NOT NULL"
    )
    db["responses"].create_index(["customer_ref"])
    # Opted-out customers, by a hash of their reference: kept after `forget`, so they
    # are never invited again, without keeping who they were.
    db["optouts"].create(
        {"customer_hash": str, "created_at": str}, pk="customer_hash", not_null={"created_at"}
    )


@migrations()
def m003_accounts_followups_comments(db: Database) -> None:
    db["users"].create(
        {
            "id": int,
            "username": str,
            "password_hash": str,
            "role": str,
            "locale": str,
            "created_at": str,
        },
        pk="id",
        not_null={"username", "password_hash", "role", "created_at"},
    )
    db["users"].create_index(["username"], unique=True)
    # Failed logins per user name and per client address, shared by every worker.
    db["login_failures"].create(
        {"key": str, "failures": int, "last_at": str}, pk="key", not_null={"failures", "last_at"}
    )
    db["followups"].create(
        {
            "response_id": int,
            "journey_id": str,
            "moment_id": str,
            "status": str,
            "note": str,
            "updated_at": str,
            "updated_by": str,
        },
        pk="response_id",
        foreign_keys=[("response_id", "responses", "id")],
        not_null={"journey_id", "moment_id", "status", "updated_at"},
    )
    db["followups"].create_index(["journey_id", "status", "moment_id"])
    # Free-text answers, kept apart so "what customers said" is listed and searched fast.
    db["responses"].add_column("comment", str)
    # A journey's last response, and exports by date range.
    db["responses"].create_index(["journey_id", "created_at"])
    db.execute(
        "INSERT INTO followups (response_id, journey_id, moment_id, status, updated_at) "
        "SELECT id, journey_id, moment_id, 'open', created_at FROM responses "
        "WHERE polarity = 'negative'"
    )


@migrations()
def m004_open_followup_counts(db: Database) -> None:
    # Kept in step with `followups` in the same transactions, so the dashboard reads a
    # few rows instead of counting every unresolved moment of pain.
    db["followup_counts"].create(
        {"journey_id": str, "moment_id": str, "open": int},
        pk=("journey_id", "moment_id"),
        not_null={"open"},
        defaults={"open": 0},
    )
    db.execute(
        "INSERT INTO followup_counts (journey_id, moment_id, open) SELECT journey_id, "
        "moment_id, COUNT(*) FROM followups WHERE status != 'resolved' "
        "GROUP BY journey_id, moment_id"
    )


@migrations()
def m005_api_keys_and_webhooks(db: Database) -> None:
    db["api_keys"].create(
        {
            "id": int,
            "name": str,
            "key_hash": str,
            "prefix": str,
            "created_at": str,
            "revoked_at": str,
        },
        pk="id",
        not_null={"name", "key_hash", "prefix", "created_at"},
    )
    db["api_keys"].create_index(["key_hash"], unique=True)
    db["api_keys"].create_index(["name"], unique=True)
    # A token bucket per key, shared by every worker: tokens left and when last filled.
    db["api_buckets"].create(
        {"key_id": int, "tokens": float, "updated": float},
        pk="key_id",
        not_null={"tokens", "updated"},
    )
    # A retried request with the same Idempotency-Key gets the first answer back.
    db["idempotency"].create(
        {
            "key_id": int,
            "idempotency_key": str,
            "request_hash": str,
            "status": int,
            "body": str,
            "created_at": str,
        },
        pk=("key_id", "idempotency_key"),
        not_null={"request_hash", "status", "body", "created_at"},
    )
    db["webhook_endpoints"].create(
        {"id": int, "journey_id": str, "url": str, "secret": str, "events": str, "created_at": str},
        pk="id",
        foreign_keys=[("journey_id", "journeys", "id")],
        not_null={"journey_id", "url", "secret", "events", "created_at"},
    )
    db["webhook_endpoints"].create_index(["journey_id"])
    # The outbox: written in the response's own transaction, delivered later.
    db["webhook_outbox"].create(
        {
            "id": int,
            "endpoint_id": int,
            "message_id": str,
            "event": str,
            "payload": str,
            "created_at": str,
            "attempts": int,
            "next_attempt_at": str,
            "delivered_at": str,
            "failed_at": str,
            "last_error": str,
        },
        pk="id",
        not_null={
            "endpoint_id",
            "message_id",
            "event",
            "payload",
            "created_at",
            "attempts",
            "next_attempt_at",
        },
        defaults={"attempts": 0},
    )
    db["webhook_outbox"].create_index(["delivered_at", "failed_at", "next_attempt_at"])


@migrations()
def m006_digest_marks(db: Database) -> None:
    # How far each email digest has reported: the last response it covered.
    db["digest_marks"].create(
        {"name": str, "last_response_id": int, "sent_at": str},
        pk="name",
        not_null={"last_response_id", "sent_at"},
    )


def _count_open(db: Database, journey_id: str, moment_id: str, delta: int) -> None:
    db.execute(
        "INSERT INTO followup_counts (journey_id, moment_id, open) VALUES (?, ?, ?) "
        "ON CONFLICT (journey_id, moment_id) DO UPDATE SET open = open + excluded.open",
        [journey_id, moment_id, delta],
    )


def connect(path: str | Path) -> Database:
    """Open the database file for one request or command: WAL, busy timeout, foreign keys."""
    # The timeout is SQLite's busy timeout: a writer waits its turn instead of failing.
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    conn.execute("PRAGMA foreign_keys = ON")
    # In WAL mode NORMAL loses nothing when the process dies, only on power loss.
    conn.execute("PRAGMA synchronous = NORMAL")
    return Database(conn, execute_plugins=False, recursive_triggers=False)


def open_database(path: str | Path) -> Database:
    """Open (creating if needed) the database and bring its schema up to date."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    migrations.apply(db)
    return db


def backup(db: Database, target: str | Path) -> int:
    """Copy the live database to ``target`` with SQLite's online backup API.

    Consistent even while workers write (a backup that sees a write restarts its step);
    returns the number of pages copied.
    """
    destination = sqlite3.connect(str(target))
    copied = 0

    def progress(status, remaining, total):
        nonlocal copied
        copied = total

    try:
        db.conn.backup(destination, pages=1024, progress=progress)
    finally:
        destination.close()
    return copied


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """UTC time as stored: ``2026-11-23T10:22:36.123456Z``, sortable as text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text: str) -> datetime:
    """Read back a time written by :func:`iso`."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# --- journeys ----------------------------------------------------------------------------


@dataclass
class LoadReport:
    """What storing one definition changed."""

    journey_id: str
    status: str  # created, updated or unchanged
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)

    def describe(self) -> str:
        if self.status != "updated":
            return f"{self.journey_id}: {self.status}"
        parts = [
            f"{label} {', '.join(ids)}"
            for label, ids in (
                ("added", self.added),
                ("changed", self.changed),
                ("retired", self.retired),
                ("restored", self.restored),
            )
            if ids
        ]
        return f"{self.journey_id}: updated ({'; '.join(parts) or 'brand, locales or order'})"


def store_journeys(db: Database, journeys: Iterable[Journey]) -> list[LoadReport]:
    """Store validated definitions, all in one transaction; report what changed.

    A moment missing from a new version is retired, never deleted, so its
    responses keep counting in its history.
    """
    now = iso(utcnow())
    reports = []
    with immediate(db):  # reads each digest, then writes: take the write lock first
        for journey in journeys:
            reports.append(_store_journey(db, journey, now))
    return reports


def _store_journey(db: Database, journey: Journey, now: str) -> LoadReport:
    row = db.execute("SELECT digest FROM journeys WHERE id = ?", [journey.id]).fetchone()
    if row and row[0] == journey.digest:
        return LoadReport(journey.id, "unchanged")
    report = LoadReport(journey.id, "updated" if row else "created")
    definition = json.dumps(journey.to_dict(), ensure_ascii=False)
    db.execute(
        """INSERT INTO journeys (id, brand, default_locale, locales, definition, digest,
                                 created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET brand = excluded.brand,
               default_locale = excluded.default_locale, locales = excluded.locales,
               definition = excluded.definition, digest = excluded.digest,
               updated_at = excluded.updated_at""",
        [
            journey.id,
            journey.brand,
            journey.default_locale,
            json.dumps(journey.locales),
            definition,
            journey.digest,
            now,
            now,
        ],
    )
    existing = {
        r["id"]: r for r in db.query("SELECT * FROM moments WHERE journey_id = ?", [journey.id])
    }
    for position, moment in enumerate(journey.moments):
        values = _moment_row(journey.id, position, moment)
        old = existing.pop(moment.id, None)
        if row and old is None:
            report.added.append(moment.id)
        elif old is not None:
            if old["retired"]:
                report.restored.append(moment.id)
            elif any(old[k] != values[k] for k in ("kind", "channel", "name", "questions")):
                report.changed.append(moment.id)
        db.execute(
            """INSERT INTO moments (journey_id, id, position, kind, channel, name, questions,
                                    retired)
               VALUES (:journey_id, :id, :position, :kind, :channel, :name, :questions, 0)
               ON CONFLICT (journey_id, id) DO UPDATE SET position = excluded.position,
                   kind = excluded.kind, channel = excluded.channel, name = excluded.name,
                   questions = excluded.questions, retired = 0""",
            values,
        )
    for offset, (moment_id, old) in enumerate(
        sorted(existing.items(), key=lambda item: item[1]["position"])
    ):
        if not old["retired"]:
            report.retired.append(moment_id)
        db.execute(
            "UPDATE moments SET retired = 1, position = ? WHERE journey_id = ? AND id = ?",
            [len(journey.moments) + offset, journey.id, moment_id],
        )
    return report


def _moment_row(journey_id: str, position: int, moment: Moment) -> dict[str, Any]:
    return {
        "journey_id": journey_id,
        "id": moment.id,
        "position": position,
        "kind": moment.kind,
        "channel": moment.channel,
        "name": json.dumps(moment.name, ensure_ascii=False, sort_keys=True),
        "questions": json.dumps(list(moment.questions)) if moment.questions else None,
    }


# Parsed definitions by digest: a digest always names the same definition, so an entry
# is never stale, and every worker sees a reloaded journey at its next request.
_parsed: dict[str, Journey] = {}


def get_journey(db: Database, journey_id: str) -> Journey | None:
    """The journey's current definition, or None if no such journey is stored."""
    row = db.execute(
        "SELECT digest, definition FROM journeys WHERE id = ?", [journey_id]
    ).fetchone()
    return _journey_of(row[0], row[1]) if row else None


def _journey_of(digest: str, definition: str) -> Journey:
    journey = _parsed.get(digest)
    if journey is None:
        if len(_parsed) > 512:
            _parsed.clear()
        journey = _parsed[digest] = Journey.from_dict(json.loads(definition))
    return journey


def retired_moments(db: Database, journey_id: str) -> list[Moment]:
    """Moments a later definition removed; their responses are kept and still reported."""
    return [
        Moment(
            id=r["id"],
            kind=r["kind"],
            name=json.loads(r["name"]),
            channel=r["channel"],
            questions=tuple(json.loads(r["questions"])) if r["questions"] else None,
        )
        for r in db.query(
            "SELECT * FROM moments WHERE journey_id = ? AND retired = 1 ORDER BY position",
            [journey_id],
        )
    ]


def list_journeys(db: Database) -> list[dict[str, Any]]:
    """Every journey with its moment and response counts and last response time."""
    return list(
        db.query(
            """SELECT j.id, j.brand, j.default_locale, j.locales, j.updated_at,
                      (SELECT COUNT(*) FROM moments m
                        WHERE m.journey_id = j.id AND m.retired = 0) AS moments,
                      (SELECT COALESCE(SUM(t.responses), 0) FROM daily_tallies t
                        WHERE t.journey_id = j.id) AS responses,
                      (SELECT MAX(r.created_at) FROM responses r
                        WHERE r.journey_id = j.id) AS last_response_at
               FROM journeys j ORDER BY j.id"""
        )
    )


# --- responses ---------------------------------------------------------------------------


_TALLY_UPSERT = (
    "INSERT INTO daily_tallies (journey_id, moment_id, day, locale, channel, "  # noqa: S608 # nosec B608
    f"{', '.join(TALLY_FIELDS)}) VALUES (?, ?, ?, ?, ?, {', '.join('?' for _ in TALLY_FIELDS)}) "
    "ON CONFLICT (journey_id, moment_id, day, locale, channel) DO UPDATE SET "
    + ", ".join(f"{f} = {f} + excluded.{f}" for f in TALLY_FIELDS)
)


_write_queues: weakref.WeakKeyDictionary[Database, Any] = weakref.WeakKeyDictionary()


def _write_queue(db: Database):
    """This connection's handle on the writers' lock file (``<database>-writers``), or
    None for a database in memory. One handle per connection, opened when it first
    writes: flock locks belong to an open file, so each connection (thread or process)
    needs its own to exclude the others."""
    queue = _write_queues.get(db)
    if queue is None:
        path = db.execute("PRAGMA database_list").fetchone()[2]
        queue = _write_queues[db] = open(f"{path}-writers", "a") if path else False  # noqa: SIM115
    return queue or None


@contextmanager
def immediate(db: Database) -> Iterator[Database]:
    """A write transaction that takes the write lock at once (BEGIN IMMEDIATE).

    Used where a transaction reads before it writes, so two writers never both read the
    old state. Writers first queue on a file lock (flock): SQLite's own busy handler
    retries after sleeps of 1, 2, 5, 10 … 100 ms, and under a burst of submits a quarter
    of them slept more than 1 ms and some 100 ms, while the kernel wakes the next writer
    in the queue as soon as the lock is free (benchmarks/README.md). SQLite's locking
    still guards everything; the queue only decides who goes next.
    """
    if db.conn.in_transaction:  # already holding the write lock: a savepoint is enough
        with db.atomic():
            yield db
        return
    queue = _write_queue(db)
    if queue is not None:
        fcntl.flock(queue, fcntl.LOCK_EX)
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.conn.rollback()
            raise
        db.execute("COMMIT")
    finally:
        if queue is not None:
            fcntl.flock(queue, fcntl.LOCK_UN)


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
            _open_followup(db, cursor.lastrowid, journey_id, moment_id, when)
        event["id"] = cursor.lastrowid
        _queue_webhooks(db, journey_id, polarity, event)
        db.execute(_TALLY_UPSERT, tally)
    return cursor.lastrowid


def _open_followup(
    db: Database, response_id: int, journey_id: str, moment_id: str, when: str
) -> None:
    opened = db.execute(
        "INSERT OR IGNORE INTO followups (response_id, journey_id, moment_id, status, "
        "updated_at) VALUES (?, ?, ?, 'open', ?)",
        [response_id, journey_id, moment_id, when],
    ).rowcount
    if opened:
        _count_open(db, journey_id, moment_id, 1)


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
        db.execute(_TALLY_UPSERT, [*key, *delta])
        if polarity == "negative":
            _open_followup(
                db, response["id"], response["journey_id"], response["moment_id"], iso(utcnow())
            )
        else:  # no longer a moment of pain: an untouched follow-up goes away
            removed = db.execute(
                "DELETE FROM followups WHERE response_id = ? AND status = 'open' AND note IS NULL",
                [response["id"]],
            ).rowcount
            if removed:
                _count_open(db, response["journey_id"], response["moment_id"], -1)


def moment_tallies(
    db: Database,
    journey_id: str,
    *,
    since: date | None = None,
    until: date | None = None,
    locale: str | None = None,
    channel: str | None = None,
) -> dict[str, dict[str, int]]:
    """Each moment's tallies summed over the filters (days inclusive)."""
    where, params = _filters(journey_id, since, until, locale, channel)
    sums = ", ".join(f"SUM({f}) AS {f}" for f in TALLY_FIELDS)
    sql = f"SELECT moment_id, {sums} FROM daily_tallies WHERE {where} GROUP BY moment_id"  # noqa: S608 # nosec B608
    return {row.pop("moment_id"): row for row in db.query(sql, params)}


def negative_responses_after(
    db: Database, after_id: int, *, since: str | None = None, limit: int = 50
) -> tuple[list[dict[str, Any]], int, int]:
    """Negative responses with an id above ``after_id`` (and, with ``since``, created then
    or later), oldest first: at most ``limit`` of them, how many there are in all, and
    the highest id among them all (0 if none)."""
    where = "WHERE id > ? AND polarity = 'negative'" + (" AND created_at >= ?" if since else "")
    params: list[Any] = [after_id, since] if since else [after_id]
    total, last_id = db.execute(
        f"SELECT COUNT(*), COALESCE(MAX(id), 0) FROM responses {where}",  # noqa: S608 # nosec B608
        params,
    ).fetchone()
    keys = ("id", "journey_id", "moment_id", "created_at", "answers", "customer_ref")
    rows = db.execute(
        f"SELECT {', '.join(keys)} FROM responses {where} ORDER BY id LIMIT ?",  # noqa: S608 # nosec B608
        [*params, limit],
    )
    found = []
    for row in rows:
        item = dict(zip(keys, row, strict=True))
        item["answers"] = json.loads(item["answers"])
        found.append(item)
    return found, total, last_id


def digest_mark(db: Database, name: str) -> int | None:
    """The last response the digest ``name`` reported, or None before its first one."""
    row = db.execute("SELECT last_response_id FROM digest_marks WHERE name = ?", [name]).fetchone()
    return row[0] if row else None


def set_digest_mark(db: Database, name: str, last_response_id: int) -> None:
    with db.atomic():
        db.execute(
            "INSERT INTO digest_marks (name, last_response_id, sent_at) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET last_response_id = excluded.last_response_id, "
            "sent_at = excluded.sent_at",
            [name, last_response_id, iso(utcnow())],
        )


def count_responses(db: Database, journey_id: str | None = None) -> int:
    """How many responses are stored (for one journey, or all)."""
    if journey_id is None:
        return db.execute("SELECT COUNT(*) FROM responses").fetchone()[0]
    return db.execute(
        "SELECT COUNT(*) FROM responses WHERE journey_id = ?", [journey_id]
    ).fetchone()[0]


def _records(
    db: Database, table: str, columns: tuple[str, ...], tail: str = "", params: list | tuple = ()
) -> list[dict[str, Any]]:
    """Rows of ``table`` as dicts of ``columns``; ``tail`` is the WHERE/ORDER part, written
    here with placeholders, every value bound."""
    sql = f"SELECT {', '.join(columns)} FROM {table} {tail}"  # noqa: S608 # nosec B608
    return [dict(zip(columns, row, strict=True)) for row in db.execute(sql, list(params))]


def _record(
    db: Database, table: str, columns: tuple[str, ...], tail: str, params: list | tuple
) -> dict[str, Any] | None:
    found = _records(db, table, columns, tail, params)
    return found[0] if found else None


# --- invitations ------------------------------------------------------------------------

INVITATION_COLUMNS = (
    "id",
    "token",
    "journey_id",
    "moment_id",
    "customer_ref",
    "email",
    "locale",
    "created_at",
    "expires_at",
    "sent_at",
    "send_attempts",
    "last_error",
    "reminded_at",
    "answered_at",
)


def insert_invitations(db: Database, rows: list[tuple]) -> None:
    """Insert (token, journey, moment, customer, email, locale, created, expires) rows."""
    db.conn.executemany(
        "INSERT INTO invitations (token, journey_id, moment_id, customer_ref, email, locale, "
        "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def _chunks(items: list, size: int = 500) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def recent_invitations(
    db: Database, customer_refs: list[str], since: datetime
) -> list[tuple[str, str, str]]:
    """(customer, journey, moment) of each invitation these customers got since ``since``."""
    found: list[tuple[str, str, str]] = []
    for chunk in _chunks(customer_refs):
        marks = ", ".join("?" for _ in chunk)
        found += db.execute(
            f"SELECT customer_ref, journey_id, moment_id FROM invitations "  # noqa: S608 # nosec B608
            f"WHERE customer_ref IN ({marks}) AND created_at >= ?",
            [*chunk, iso(since)],
        ).fetchall()
    return found


def opted_out(db: Database, customer_hashes: list[str]) -> set[str]:
    """Which of these customers asked never to be surveyed again."""
    found: set[str] = set()
    for chunk in _chunks(customer_hashes):
        marks = ", ".join("?" for _ in chunk)
        found |= {
            row[0]
            for row in db.execute(
                f"SELECT customer_hash FROM optouts WHERE customer_hash IN ({marks})",  # noqa: S608 # nosec B608
                chunk,
            )
        }
    return found


def add_optout(db: Database, customer_hash: str) -> None:
    with db.atomic():
        db.execute(
            "INSERT OR IGNORE INTO optouts (customer_hash, created_at) VALUES (?, ?)",
            [customer_hash, iso(utcnow())],
        )


def get_invitation(db: Database, token: str) -> dict[str, Any] | None:
    return _record(db, "invitations", INVITATION_COLUMNS, "WHERE token = ?", [token])


_INVITATION_AND_JOURNEY = (
    f"SELECT {', '.join(f'i.{c}' for c in INVITATION_COLUMNS)}, j.digest, j.definition "  # noqa: S608 # nosec B608
    "FROM invitations i JOIN journeys j ON j.id = i.journey_id WHERE i.token = ?"
)


def get_invitation_and_journey(db: Database, token: str):
    """An invitation and its journey, in one query (a survey link's every request)."""
    row = db.execute(_INVITATION_AND_JOURNEY, [token]).fetchone()
    if row is None:
        return None
    invitation = dict(zip(INVITATION_COLUMNS, row[:-2], strict=True))
    return invitation, _journey_of(row[-2], row[-1])


def invitations_to_send(
    db: Database,
    *,
    now: datetime,
    retry: bool,
    journey_id: str | None = None,
    tokens: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Invitations with an email, not sent, unanswered and unexpired.

    Without ``retry`` only those never tried; with it, also those that failed.
    """
    where = ["email IS NOT NULL", "sent_at IS NULL", "answered_at IS NULL", "expires_at > ?"]
    params: list[Any] = [iso(now)]
    if not retry:
        where.append("send_attempts = 0")
    if journey_id:
        where.append("journey_id = ?")
        params.append(journey_id)
    if tokens is None:
        return _records(
            db,
            "invitations",
            INVITATION_COLUMNS,
            f"WHERE {' AND '.join(where)} ORDER BY id",
            params,
        )
    rows: list[dict[str, Any]] = []
    for chunk in _chunks(tokens):  # only these: never read every unsent invitation
        marks = ", ".join("?" for _ in chunk)
        rows += _records(
            db,
            "invitations",
            INVITATION_COLUMNS,
            f"WHERE {' AND '.join(where)} AND token IN ({marks}) ORDER BY id",
            [*params, *chunk],
        )
    return rows


def mark_sent(db: Database, token: str, *, reminder: bool = False) -> None:
    column = "reminded_at" if reminder else "sent_at"
    with db.atomic():
        db.execute(
            f"UPDATE invitations SET {column} = ?, last_error = NULL, "  # noqa: S608 # nosec B608
            "send_attempts = send_attempts + 1 WHERE token = ?",
            [iso(utcnow()), token],
        )


def mark_send_failed(db: Database, token: str, error: str) -> None:
    with db.atomic():
        db.execute(
            "UPDATE invitations SET last_error = ?, send_attempts = send_attempts + 1 "
            "WHERE token = ?",
            [error[:500], token],
        )


def reminders_due(db: Database, journey_id: str, *, older_than: datetime, now: datetime):
    """Sent, unanswered, unexpired, never reminded invitations older than ``older_than``."""
    return _records(
        db,
        "invitations",
        INVITATION_COLUMNS,
        "WHERE journey_id = ? AND answered_at IS NULL AND sent_at IS NOT NULL "
        "AND reminded_at IS NULL AND email IS NOT NULL AND expires_at > ? AND created_at <= ? "
        "ORDER BY id",
        [journey_id, iso(now), iso(older_than)],
    )


def forget_customer(db: Database, customer_ref: str) -> tuple[int, int]:
    """Erase a customer's reference and email; their anonymous answers still count."""
    with db.atomic():
        invitations = db.execute(
            "UPDATE invitations SET customer_ref = NULL, email = NULL WHERE customer_ref = ?",
            [customer_ref],
        ).rowcount
        responses = db.execute(
            "UPDATE responses SET customer_ref = NULL WHERE customer_ref = ?", [customer_ref]
        ).rowcount
    return invitations, responses


# --- accounts ---------------------------------------------------------------------------

USER_COLUMNS = ("id", "username", "password_hash", "role", "locale", "created_at")


def insert_user(db: Database, username: str, password_hash: str, role: str) -> None:
    with db.atomic():
        db.execute(
            "INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)",
            [username, password_hash, role, iso(utcnow())],
        )


def get_user(db: Database, *, username: str | None = None, user_id: int | None = None):
    if username is not None:
        return _record(db, "users", USER_COLUMNS, "WHERE username = ?", [username])
    return _record(db, "users", USER_COLUMNS, "WHERE id = ?", [user_id])


def list_users(db: Database) -> list[dict[str, Any]]:
    return _records(db, "users", USER_COLUMNS, "ORDER BY username")


def delete_user(db: Database, username: str) -> bool:
    with db.atomic():
        return db.execute("DELETE FROM users WHERE username = ?", [username]).rowcount > 0


def set_user_locale(db: Database, user_id: int, locale: str) -> None:
    with db.atomic():
        db.execute("UPDATE users SET locale = ? WHERE id = ?", [locale, user_id])


# Failed attempts, keyed by what failed: "user:<name>" and "client:<address>" for admin
# logins, "token:<address>" for unknown survey links. (The table's name is historical.)


def recent_failures(db: Database, keys: list[str]) -> list[tuple[int, str]]:
    """(failures, last failure time) for each key that has failed recently."""
    marks = ", ".join("?" for _ in keys)
    return db.execute(
        f"SELECT failures, last_at FROM login_failures WHERE key IN ({marks})",  # noqa: S608 # nosec B608
        keys,
    ).fetchall()


def add_failure(db: Database, keys: list[str], when: datetime, reset_before: datetime):
    with db.atomic():
        for key in keys:
            db.execute(
                "INSERT INTO login_failures (key, failures, last_at) VALUES (?, 1, ?) "
                "ON CONFLICT (key) DO UPDATE SET failures = CASE WHEN last_at < ? THEN 1 "
                "ELSE failures + 1 END, last_at = excluded.last_at",
                [key, iso(when), iso(reset_before)],
            )


def clear_failures(db: Database, keys: list[str]) -> None:
    marks = ", ".join("?" for _ in keys)
    with db.atomic():
        db.execute(f"DELETE FROM login_failures WHERE key IN ({marks})", keys)  # noqa: S608 # nosec B608


# --- dashboard ---------------------------------------------------------------------------


def _filters(journey_id, since, until, locale, channel, day_column="day"):
    where, params = ["journey_id = ?"], [journey_id]
    for clause, value in (
        (f"{day_column} >= ?", since.isoformat() if since else None),
        (f"{day_column} <= ?", until.isoformat() if until else None),
        ("locale = ?", locale),
        ("channel = ?", channel),
    ):
        if value is not None:
            where.append(clause)
            params.append(value)
    return " AND ".join(where), params


def weekly_tallies(
    db: Database, journey_id: str, *, since=None, until=None, locale=None, channel=None
) -> dict[str, list[dict[str, Any]]]:
    """Per moment, per week (starting Monday): responses, positive, neutral, negative."""
    where, params = _filters(journey_id, since, until, locale, channel)
    rows = db.query(
        "SELECT moment_id, date(day, '-6 days', 'weekday 1') AS week, SUM(responses) AS "  # noqa: S608 # nosec B608
        "responses, SUM(positive) AS positive, SUM(neutral) AS neutral, SUM(negative) AS "
        f"negative FROM daily_tallies WHERE {where} GROUP BY moment_id, week ORDER BY week",
        params,
    )
    weeks: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        weeks.setdefault(row.pop("moment_id"), []).append(row)
    return weeks


def open_followups(db: Database, journey_id: str) -> dict[str, int]:
    """Per moment, how many moments of pain nobody has resolved yet."""
    rows = db.execute(
        "SELECT moment_id, open FROM followup_counts WHERE journey_id = ? AND open > 0",
        [journey_id],
    )
    return dict(rows.fetchall())


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def comments(
    db: Database,
    journey_id: str,
    moment_id: str,
    *,
    polarity: str | None = None,
    search: str | None = None,
    limit: int = 50,
    offset: int = 0,
):
    """What customers said about a moment, newest first."""
    where = ["journey_id = ?", "moment_id = ?", "comment IS NOT NULL"]
    params: list[Any] = [journey_id, moment_id]
    if polarity:
        where.append("polarity = ?")
        params.append(polarity)
    if search:
        where.append("comment LIKE ? ESCAPE '\\'")
        params.append(_like(search))
    return list(
        db.query(
            "SELECT id, created_at, polarity, comment, locale, channel, customer_ref "  # noqa: S608 # nosec B608
            f"FROM responses WHERE {' AND '.join(where)} ORDER BY created_at DESC, id DESC "
            "LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
    )


FOLLOWUP_STATUSES = ("open", "contacted", "resolved")


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
    where, params = ["f.journey_id = ?"], [journey_id]
    if status:
        where.append("f.status = ?")
        params.append(status)
    if moment_id:
        where.append("f.moment_id = ?")
        params.append(moment_id)
    rows = db.query(
        "SELECT f.response_id, f.moment_id, f.status, f.note, f.updated_at, f.updated_by, "  # noqa: S608 # nosec B608
        "r.created_at, r.answers, r.customer_ref, r.locale, r.channel FROM followups f "
        f"JOIN responses r ON r.id = f.response_id WHERE {' AND '.join(where)} "
        "ORDER BY r.created_at DESC, f.response_id DESC LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return [{**row, "answers": json.loads(row["answers"])} for row in rows]


def update_followup(
    db: Database, response_id: int, *, status: str, note: str | None, by: str
) -> bool:
    """Set a follow-up's status and note; False if there is no such follow-up."""
    with immediate(db):
        row = db.execute(
            "SELECT journey_id, moment_id, status FROM followups WHERE response_id = ?",
            [response_id],
        ).fetchone()
        if row is None:
            return False
        journey_id, moment_id, old = row
        db.execute(
            "UPDATE followups SET status = ?, note = ?, updated_at = ?, updated_by = ? "
            "WHERE response_id = ?",
            [status, note, iso(utcnow()), by, response_id],
        )
        was_open, is_open = old != "resolved", status != "resolved"
        if was_open != is_open:
            _count_open(db, journey_id, moment_id, 1 if is_open else -1)
    return True


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
    where, params = _filters(journey_id, since, until, locale, channel)
    cursor = db.execute(
        f"SELECT {', '.join(RESPONSE_EXPORT_COLUMNS)} FROM responses WHERE {where} "  # noqa: S608 # nosec B608
        "ORDER BY created_at, id",
        params,
    )
    for row in cursor:
        data = dict(zip(RESPONSE_EXPORT_COLUMNS, row, strict=True))
        data["answers"] = json.loads(data["answers"])
        yield data


# --- API keys ------------------------------------------------------------------------------

API_KEY_COLUMNS = ("id", "name", "key_hash", "prefix", "created_at", "revoked_at")


def insert_api_key(db: Database, name: str, key_hash: str, prefix: str) -> None:
    with db.atomic():
        db.execute(
            "INSERT INTO api_keys (name, key_hash, prefix, created_at) VALUES (?, ?, ?, ?)",
            [name, key_hash, prefix, iso(utcnow())],
        )


def api_key_by_hash(db: Database, key_hash: str) -> dict[str, Any] | None:
    return _record(
        db, "api_keys", API_KEY_COLUMNS, "WHERE key_hash = ? AND revoked_at IS NULL", [key_hash]
    )


def list_api_keys(db: Database) -> list[dict[str, Any]]:
    return _records(db, "api_keys", API_KEY_COLUMNS, "ORDER BY name")


def revoke_api_key(db: Database, name: str) -> bool:
    with db.atomic():
        return (
            db.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                [iso(utcnow()), name],
            ).rowcount
            > 0
        )


def take_token(db: Database, key_id: int, *, rate: float, burst: float, now: float) -> float:
    """Take one request from the key's bucket; the tokens left (negative: over the limit)."""
    with db.atomic():
        row = db.execute(
            "INSERT INTO api_buckets (key_id, tokens, updated) VALUES (?, ? - 1, ?) "
            "ON CONFLICT (key_id) DO UPDATE SET tokens = MIN(?, tokens + (excluded.updated - "
            "updated) * ?) - 1, updated = excluded.updated RETURNING tokens",
            [key_id, burst, now, burst, rate],
        ).fetchone()
    return row[0]


def get_idempotent(db: Database, key_id: int, idempotency_key: str):
    return db.execute(
        "SELECT request_hash, status, body FROM idempotency WHERE key_id = ? "
        "AND idempotency_key = ?",
        [key_id, idempotency_key],
    ).fetchone()


def save_idempotent(
    db: Database, key_id: int, idempotency_key: str, request_hash: str, status: int, body: str
) -> None:
    db.execute(
        "INSERT OR IGNORE INTO idempotency (key_id, idempotency_key, request_hash, "
        "status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        [key_id, idempotency_key, request_hash, status, body, iso(utcnow())],
    )


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


# --- webhooks ----------------------------------------------------------------------------

WEBHOOK_EVENTS = ("response.created", "response.negative")
ENDPOINT_COLUMNS = ("id", "journey_id", "url", "secret", "events", "created_at")


def add_webhook(db: Database, journey_id: str, url: str, secret: str, events: list[str]) -> int:
    with db.atomic():
        return db.execute(
            "INSERT INTO webhook_endpoints (journey_id, url, secret, events, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [journey_id, url, secret, ",".join(events), iso(utcnow())],
        ).lastrowid


def list_webhooks(db: Database, journey_id: str | None = None) -> list[dict[str, Any]]:
    if journey_id:
        return _records(
            db,
            "webhook_endpoints",
            ENDPOINT_COLUMNS,
            "WHERE journey_id = ? ORDER BY id",
            [journey_id],
        )
    return _records(db, "webhook_endpoints", ENDPOINT_COLUMNS, "ORDER BY id")


def remove_webhook(db: Database, endpoint_id: int) -> bool:
    with db.atomic():
        db.execute(
            "DELETE FROM webhook_outbox WHERE endpoint_id = ? AND delivered_at IS NULL",
            [endpoint_id],
        )
        return db.execute("DELETE FROM webhook_endpoints WHERE id = ?", [endpoint_id]).rowcount > 0


def _queue_webhooks(db: Database, journey_id: str, polarity: str, data: dict) -> None:
    """Write the response's events to the outbox, in the response's own transaction."""
    endpoints = db.execute(
        "SELECT id, events FROM webhook_endpoints WHERE journey_id = ?", [journey_id]
    ).fetchall()
    if not endpoints:
        return
    now = iso(utcnow())
    for endpoint_id, events in endpoints:
        wanted = events.split(",")
        for event in ("response.created", "response.negative"):
            if event not in wanted or (event == "response.negative" and polarity != "negative"):
                continue
            payload = json.dumps(
                {"type": event, "timestamp": now, "data": data},
                ensure_ascii=False,
                separators=(",", ":"),
            )
            db.execute(
                "INSERT INTO webhook_outbox (endpoint_id, message_id, event, payload, "
                "created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?)",
                [endpoint_id, "msg_" + secrets.token_urlsafe(16), event, payload, now, now],
            )


def due_deliveries(db: Database, now: datetime, limit: int = 100) -> list[dict[str, Any]]:
    rows = db.execute(
        "SELECT o.id, o.message_id, o.event, o.payload, o.attempts, e.url, e.secret "
        "FROM webhook_outbox o JOIN webhook_endpoints e ON e.id = o.endpoint_id "
        "WHERE o.delivered_at IS NULL AND o.failed_at IS NULL AND o.next_attempt_at <= ? "
        "ORDER BY o.next_attempt_at, o.id LIMIT ?",
        [iso(now), limit],
    )
    keys = ("id", "message_id", "event", "payload", "attempts", "url", "secret")
    return [dict(zip(keys, r, strict=True)) for r in rows]


def mark_delivery(
    db: Database,
    outbox_id: int,
    *,
    delivered: bool,
    error: str | None = None,
    retry_at: datetime | None = None,
) -> None:
    """Record an attempt: delivered, to be retried at ``retry_at``, or failed for good."""
    with db.atomic():
        if delivered:
            db.execute(
                "UPDATE webhook_outbox SET delivered_at = ?, attempts = attempts + 1, "
                "last_error = NULL WHERE id = ?",
                [iso(utcnow()), outbox_id],
            )
        elif retry_at is not None:
            db.execute(
                "UPDATE webhook_outbox SET attempts = attempts + 1, last_error = ?, "
                "next_attempt_at = ? WHERE id = ?",
                [error, iso(retry_at), outbox_id],
            )
        else:
            db.execute(
                "UPDATE webhook_outbox SET attempts = attempts + 1, last_error = ?, "
                "failed_at = ? WHERE id = ?",
                [error, iso(utcnow()), outbox_id],
            )


# --- insights and simulation -------------------------------------------------------------


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
                    "email",
                    row["polarity"],
                    json.dumps(row["answers"]),
                    invitation_id,
                    row["customer"],
                    None,
                )
            )
            key = (journey_id, row["moment_id"], day, row["locale"], "email")
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
            _TALLY_UPSERT,
            [[*key, *(total[f] for f in TALLY_FIELDS)] for key, total in tallies.items()],
        )
        db.execute(
            "INSERT INTO followups (response_id, journey_id, moment_id, status, updated_at) "
            "SELECT id, journey_id, moment_id, 'open', created_at FROM responses "
            "WHERE journey_id = ? AND polarity = 'negative' AND invitation_id >= ?",
            [journey_id, next_id],
        )
        for moment_id, count in db.execute(
            "SELECT moment_id, COUNT(*) FROM responses WHERE journey_id = ? AND "
            "polarity = 'negative' AND invitation_id >= ? GROUP BY moment_id",
            [journey_id, next_id],
        ).fetchall():
            _count_open(db, journey_id, moment_id, count)
    return len(rows)
