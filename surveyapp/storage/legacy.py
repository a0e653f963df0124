"""The migrations of SQLite files made before Alembic (sqlite-utils' ``Migrations``,
m001 to m007), kept to finish such a file before it is stamped with Alembic's baseline.

This is sqlite-utils' one role left: it made these files, and its ``Migrations`` knows
which of its steps an old file lacks. Frozen: nothing is ever added here; new
migrations go to ``migrations/versions``.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database, Migrations

migrations = Migrations("surveyapp")
TABLE = "_sqlite_migrations"


def finish(connection) -> None:
    """Run the sqlite-utils migrations an old file lacks, inside the caller's transaction
    (on its SQLAlchemy connection), then drop their record: Alembic's takes over."""
    db = Database(connection.connection.driver_connection, execute_plugins=False)
    migrations.apply(db)
    db.execute(f"DROP TABLE {TABLE}")


# The tally columns as m001 made them (later columns come in migrations of their own).
M001_TALLY_FIELDS = (
    "responses",
    "positive",
    "neutral",
    "negative",
    "nps_n",
    "nps_promoters",
    "nps_detractors",
    "csat_n",
    "csat_sum",
    "csat_satisfied",
    "ces_n",
    "ces_sum",
)


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
    tally_columns.update(dict.fromkeys(M001_TALLY_FIELDS, int))
    # The primary key serves the score query: one journey, grouped by moment,
    # filtered by a day range.
    db["daily_tallies"].create(
        tally_columns,
        pk=("journey_id", "moment_id", "day", "locale", "channel"),
        not_null=set(M001_TALLY_FIELDS),
        defaults=dict.fromkeys(M001_TALLY_FIELDS, 0),
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


@migrations()
def m007_admin_sessions(db: Database) -> None:
    # Admin sessions held by the server: the cookie carries a random id whose hash is
    # here, so logging out, a new password or a deleted account ends the session even
    # for a copy of the cookie.
    db["admin_sessions"].create(
        {"id_hash": str, "user_id": int, "created_at": str, "expires_at": str},
        pk="id_hash",
        foreign_keys=[("user_id", "users", "id")],
        not_null={"user_id", "created_at", "expires_at"},
    )
    db["admin_sessions"].create_index(["user_id"])
