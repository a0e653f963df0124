"""The schema as the seven sqlite-utils migrations (m001 to m007) left it: journeys,
moments, responses and their daily tallies, invitations and opt-outs, accounts and their
sessions, follow-ups and their counts, API keys, webhooks, digest marks.

A SQLite file made before Alembic is brought to m007 by :mod:`surveyapp.storage.legacy`
and stamped with this revision; every other database starts here. Index names are the
ones sqlite-utils gave, so later migrations can name them on every database.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Ids that may outgrow 32 bits on PostgreSQL; on SQLite the rowid itself.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TALLY_FIELDS = (
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


def text(name, *args, nullable=False, **kwargs):
    return sa.Column(name, sa.Text, *args, nullable=nullable, **kwargs)


def integer(name, *args, nullable=False, **kwargs):
    return sa.Column(name, sa.Integer, *args, nullable=nullable, **kwargs)


def upgrade() -> None:
    op.create_table(
        "journeys",
        text("id", primary_key=True),
        *(text(n) for n in ("brand", "default_locale", "locales", "definition", "digest")),
        text("created_at"),
        text("updated_at"),
    )
    op.create_table(
        "moments",
        text("journey_id", sa.ForeignKey("journeys.id"), primary_key=True),
        text("id", primary_key=True),
        integer("position"),
        text("kind"),
        text("channel"),
        text("name"),
        text("questions", nullable=True),
        integer("retired", server_default="0"),
    )
    op.create_table(
        "responses",
        sa.Column("id", BIG_ID, primary_key=True),
        text("journey_id", sa.ForeignKey("journeys.id")),
        *(text(n) for n in ("moment_id", "created_at", "day", "locale", "channel")),
        text("polarity"),
        text("answers"),
        sa.Column("invitation_id", sa.BigInteger, nullable=True),
        text("customer_ref", nullable=True),
        text("comment", nullable=True),
    )
    op.create_index(
        "idx_responses_journey_id_moment_id_created_at",
        "responses",
        ["journey_id", "moment_id", "created_at"],
    )
    # The last line of defence against counting one invitation twice.
    op.create_index(
        "responses_one_per_invitation",
        "responses",
        ["invitation_id"],
        unique=True,
        sqlite_where=sa.text("invitation_id IS NOT NULL"),
        postgresql_where=sa.text("invitation_id IS NOT NULL"),
    )
    op.create_index("idx_responses_customer_ref", "responses", ["customer_ref"])
    op.create_index(
        "idx_responses_journey_id_created_at", "responses", ["journey_id", "created_at"]
    )
    # The primary key serves the score query: one journey, grouped by moment, by days.
    op.create_table(
        "daily_tallies",
        *(text(n, primary_key=True) for n in ("journey_id", "moment_id", "day", "locale")),
        text("channel", primary_key=True),
        *(integer(n, server_default="0") for n in TALLY_FIELDS),
    )
    op.create_table(
        "invitations",
        sa.Column("id", BIG_ID, primary_key=True),
        text("token"),
        text("journey_id", sa.ForeignKey("journeys.id")),
        text("moment_id"),
        text("customer_ref", nullable=True),
        text("email", nullable=True),
        text("locale"),
        text("created_at"),
        text("expires_at"),
        text("sent_at", nullable=True),
        integer("send_attempts", server_default="0"),
        text("last_error", nullable=True),
        text("reminded_at", nullable=True),
        text("answered_at", nullable=True),
    )
    op.create_index("idx_invitations_token", "invitations", ["token"], unique=True)
    # The contact budget: a customer's invitations of the last 30 days.
    op.create_index(
        "idx_invitations_customer_ref_created_at", "invitations", ["customer_ref", "created_at"]
    )
    # Reminders: a journey's unanswered invitations by age.
    op.create_index(
        "idx_invitations_journey_id_answered_at_created_at",
        "invitations",
        ["journey_id", "answered_at", "created_at"],
    )
    # Opted-out customers, by a hash of their reference.
    op.create_table("optouts", text("customer_hash", primary_key=True), text("created_at"))
    op.create_table(
        "users",
        integer("id", primary_key=True),
        text("username"),
        text("password_hash"),
        text("role"),
        text("locale", nullable=True),
        text("created_at"),
    )
    op.create_index("idx_users_username", "users", ["username"], unique=True)
    # Failed attempts per user name, client address or guessed link, shared by workers.
    op.create_table(
        "login_failures", text("key", primary_key=True), integer("failures"), text("last_at")
    )
    op.create_table(
        "followups",
        sa.Column(
            "response_id",
            sa.BigInteger,
            sa.ForeignKey("responses.id"),
            primary_key=True,
            autoincrement=False,
        ),
        text("journey_id"),
        text("moment_id"),
        text("status"),
        text("note", nullable=True),
        text("updated_at"),
        text("updated_by", nullable=True),
    )
    op.create_index(
        "idx_followups_journey_id_status_moment_id",
        "followups",
        ["journey_id", "status", "moment_id"],
    )
    # Kept in step with followups in the same transactions.
    op.create_table(
        "followup_counts",
        text("journey_id", primary_key=True),
        text("moment_id", primary_key=True),
        integer("open", server_default="0"),
    )
    op.create_table(
        "api_keys",
        integer("id", primary_key=True),
        text("name"),
        text("key_hash"),
        text("prefix"),
        text("created_at"),
        text("revoked_at", nullable=True),
    )
    op.create_index("idx_api_keys_key_hash", "api_keys", ["key_hash"], unique=True)
    op.create_index("idx_api_keys_name", "api_keys", ["name"], unique=True)
    # A token bucket per key: tokens left and when last filled (a Unix time).
    op.create_table(
        "api_buckets",
        integer("key_id", primary_key=True, autoincrement=False),
        sa.Column("tokens", sa.Float, nullable=False),
        sa.Column("updated", sa.Float, nullable=False),
    )
    op.create_table(
        "idempotency",
        integer("key_id", primary_key=True, autoincrement=False),
        text("idempotency_key", primary_key=True),
        text("request_hash"),
        integer("status"),
        text("body"),
        text("created_at"),
    )
    op.create_table(
        "webhook_endpoints",
        integer("id", primary_key=True),
        text("journey_id", sa.ForeignKey("journeys.id")),
        text("url"),
        text("secret"),
        text("events"),
        text("created_at"),
    )
    op.create_index("idx_webhook_endpoints_journey_id", "webhook_endpoints", ["journey_id"])
    # The outbox: written in the response's own transaction, delivered later.
    op.create_table(
        "webhook_outbox",
        sa.Column("id", BIG_ID, primary_key=True),
        integer("endpoint_id"),
        text("message_id"),
        text("event"),
        text("payload"),
        text("created_at"),
        integer("attempts", server_default="0"),
        text("next_attempt_at"),
        text("delivered_at", nullable=True),
        text("failed_at", nullable=True),
        text("last_error", nullable=True),
    )
    op.create_index(
        "idx_webhook_outbox_delivered_at_failed_at_next_attempt_at",
        "webhook_outbox",
        ["delivered_at", "failed_at", "next_attempt_at"],
    )
    # How far each email digest has reported: the last response it covered.
    op.create_table(
        "digest_marks",
        text("name", primary_key=True),
        sa.Column("last_response_id", sa.BigInteger, nullable=False),
        text("sent_at"),
    )
    # Admin sessions held by the server, by the hash of the cookie's random id.
    op.create_table(
        "admin_sessions",
        text("id_hash", primary_key=True),
        integer("user_id", sa.ForeignKey("users.id")),
        text("created_at"),
        text("expires_at"),
    )
    op.create_index("idx_admin_sessions_user_id", "admin_sessions", ["user_id"])
