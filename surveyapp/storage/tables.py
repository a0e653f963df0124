"""The tables as the queries see them (SQLAlchemy Core), for both engines.

The migrations make these tables and never import this module (a migration that has run
must never change); a test checks that what the migrations make is exactly this.
Times are ISO text in UTC (:func:`.database.iso`), sortable and the same on both engines.
"""

from __future__ import annotations

import sqlalchemy as sa

from surveyapp.domain.scoring import TALLY_FIELDS

metadata = sa.MetaData()

#: Row ids that may outgrow 32 bits on PostgreSQL; on SQLite an INTEGER PRIMARY KEY, the
#: rowid itself.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _text(name: str, *args, nullable: bool = False, **kwargs) -> sa.Column:
    return sa.Column(name, sa.Text, *args, nullable=nullable, **kwargs)


def _int(name: str, *args, nullable: bool = False, **kwargs) -> sa.Column:
    return sa.Column(name, sa.Integer, *args, nullable=nullable, **kwargs)


journeys = sa.Table(
    "journeys",
    metadata,
    _text("id", primary_key=True),
    _text("brand"),
    _text("default_locale"),
    _text("locales"),
    _text("definition"),
    _text("digest"),
    _text("created_at"),
    _text("updated_at"),
)

moments = sa.Table(
    "moments",
    metadata,
    _text("journey_id", sa.ForeignKey("journeys.id"), primary_key=True),
    _text("id", primary_key=True),
    _int("position"),
    _text("kind"),
    _text("channel"),
    _text("name"),
    _text("questions", nullable=True),
    _int("retired", server_default="0"),
)

responses = sa.Table(
    "responses",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    _text("journey_id", sa.ForeignKey("journeys.id")),
    _text("moment_id"),
    _text("created_at"),
    _text("day"),
    _text("locale"),
    _text("channel"),
    _text("polarity"),
    _text("answers"),
    sa.Column("invitation_id", sa.BigInteger, nullable=True),
    _text("customer_ref", nullable=True),
    _text("comment", nullable=True),
    sa.Index(
        "idx_responses_journey_id_moment_id_created_at", "journey_id", "moment_id", "created_at"
    ),
    sa.Index(
        "responses_one_per_invitation",
        "invitation_id",
        unique=True,
        sqlite_where=sa.text("invitation_id IS NOT NULL"),
        postgresql_where=sa.text("invitation_id IS NOT NULL"),
    ),
    sa.Index("idx_responses_customer_ref", "customer_ref"),
    sa.Index("idx_responses_journey_id_created_at", "journey_id", "created_at"),
)

daily_tallies = sa.Table(
    "daily_tallies",
    metadata,
    _text("journey_id", primary_key=True),
    _text("moment_id", primary_key=True),
    _text("day", primary_key=True),
    _text("locale", primary_key=True),
    _text("channel", primary_key=True),
    *(_int(name, server_default="0") for name in TALLY_FIELDS),
)

invitations = sa.Table(
    "invitations",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    _text("token"),
    _text("journey_id", sa.ForeignKey("journeys.id")),
    _text("moment_id"),
    _text("customer_ref", nullable=True),
    _text("email", nullable=True),
    _text("locale"),
    _text("created_at"),
    _text("expires_at"),
    _text("sent_at", nullable=True),
    _int("send_attempts", server_default="0"),
    _text("last_error", nullable=True),
    _text("reminded_at", nullable=True),
    _text("answered_at", nullable=True),
    _text("batch", nullable=True),  # the upload or call that created it
    _text("opened_at", nullable=True),  # by a person: they touched the page or posted
    _text("opted_out_at", nullable=True),
    sa.Index("idx_invitations_token", "token", unique=True),
    sa.Index("idx_invitations_journey_id_moment_id_id", "journey_id", "moment_id", "id"),
    sa.Index("idx_invitations_batch", "batch"),
    sa.Index("idx_invitations_email", "email"),
    # The failed ones of a moment, few among many: the list's "send again" counts them.
    sa.Index(
        "idx_invitations_failed",
        "journey_id",
        "moment_id",
        sqlite_where=sa.text("sent_at IS NULL AND send_attempts > 0"),
        postgresql_where=sa.text("sent_at IS NULL AND send_attempts > 0"),
    ),
    sa.Index("idx_invitations_customer_ref_created_at", "customer_ref", "created_at"),
    sa.Index(
        "idx_invitations_journey_id_answered_at_created_at",
        "journey_id",
        "answered_at",
        "created_at",
    ),
)

optouts = sa.Table(
    "optouts", metadata, _text("customer_hash", primary_key=True), _text("created_at")
)

users = sa.Table(
    "users",
    metadata,
    _int("id", primary_key=True),
    _text("username"),
    _text("password_hash"),
    _text("role"),
    _text("locale", nullable=True),
    _text("created_at"),
    sa.Index("idx_users_username", "username", unique=True),
)

login_failures = sa.Table(
    "login_failures",
    metadata,
    _text("key", primary_key=True),
    _int("failures"),
    _text("last_at"),
)

#: Requests that did not become invitations (opted out, invited lately, over budget),
#: kept so the manager sees them beside the invitations, with why.
invitation_skips = sa.Table(
    "invitation_skips",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    _text("batch"),
    _text("journey_id", sa.ForeignKey("journeys.id")),
    _text("moment_id"),
    _text("customer_ref", nullable=True),
    _text("email", nullable=True),
    _text("locale"),
    _text("reason"),  # a code of vocabulary.SKIP_REASONS
    _text("created_at"),
    sa.Index("idx_invitation_skips_journey_id_moment_id_id", "journey_id", "moment_id", "id"),
    sa.Index("idx_invitation_skips_batch", "batch"),
)

#: Per journey, moment, UTC day an invitation was made, and its locale: how many were
#: made, sent, opened by a person (an answer counts) and answered, kept by each of those
#: steps, so a response rate costs the same at a thousand invitations or a million.
invitation_tallies = sa.Table(
    "invitation_tallies",
    metadata,
    _text("journey_id", primary_key=True),
    _text("moment_id", primary_key=True),
    _text("day", primary_key=True),
    _text("locale", primary_key=True),
    *(_int(name, server_default="0") for name in ("invited", "sent", "opened", "answered")),
)

#: Emails asked for from the browser, sent by the sending worker (``send --loop``); a
#: row is leased while a node sends it, so nodes side by side never send it twice.
mail_queue = sa.Table(
    "mail_queue",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("invitation_id", sa.BigInteger, sa.ForeignKey("invitations.id"), nullable=False),
    _int("reminder"),  # 1: a reminder, 0: the invitation itself
    _text("queued_at"),
    _text("next_attempt_at"),
    sa.Index("idx_mail_queue_invitation_id_reminder", "invitation_id", "reminder", unique=True),
    sa.Index("idx_mail_queue_next_attempt_at", "next_attempt_at"),
)

followups = sa.Table(
    "followups",
    metadata,
    sa.Column(
        "response_id",
        sa.BigInteger,
        sa.ForeignKey("responses.id"),
        primary_key=True,
        autoincrement=False,
    ),
    _text("journey_id"),
    _text("moment_id"),
    _text("status"),
    _text("note", nullable=True),
    _text("updated_at"),
    _text("updated_by", nullable=True),
    # A way to reach the customer they left after a bad answer, with their consent.
    _text("contact", nullable=True),
    _text("contact_at", nullable=True),
    # The response's, kept here so the inbox filters, counts and pages on this table alone.
    _text("created_at", server_default=""),
    _text("channel", server_default=""),
    _text("locale", server_default=""),
    _text("owner", nullable=True),  # a username
    _int("revision", server_default="0"),  # +1 at each change: a stale edit is refused
    _text("resolved_at", nullable=True),
    sa.Index("idx_followups_journey_id_status_moment_id", "journey_id", "status", "moment_id"),
    # Covers every filter but text, in the inbox's order: counting and paging read it alone.
    sa.Index(
        "idx_followups_inbox",
        "journey_id",
        "created_at",
        "status",
        "moment_id",
        "owner",
        "channel",
        "locale",
    ),
)

#: Every change to a follow-up, oldest first: its history on the item's page.
followup_events = sa.Table(
    "followup_events",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("response_id", sa.BigInteger, sa.ForeignKey("followups.response_id"), nullable=False),
    _text("at"),
    _text("by", nullable=True),  # an admin's username, api:<key name>; None: the service
    _text("action"),  # one of vocabulary.FOLLOWUP_ACTIONS
    _text("detail", nullable=True),  # JSON: what changed
    sa.Index("idx_followup_events_response_id", "response_id"),
)

#: The recovery loop: after a moment of pain was resolved, one question ("Did we make it
#: right?") by a personal, single-use link; the link's token is kept only as its SHA-256.
recoveries = sa.Table(
    "recoveries",
    metadata,
    sa.Column(
        "response_id",
        sa.BigInteger,
        sa.ForeignKey("followups.response_id"),
        primary_key=True,
        autoincrement=False,
    ),
    _text("journey_id"),
    _text("moment_id"),
    _text("token_hash"),
    _text("locale"),
    _text("email"),
    _text("sent_by", nullable=True),
    _text("sent_at"),
    _text("expires_at"),
    _text("answered_at", nullable=True),
    _text("answer", nullable=True),  # one of vocabulary.RECOVERY_ANSWERS
    sa.Index("idx_recoveries_token_hash", "token_hash", unique=True),
    sa.Index("idx_recoveries_journey_id_moment_id", "journey_id", "moment_id"),
)

#: What a journey's managers set in the browser, apart from its definition.
journey_settings = sa.Table(
    "journey_settings",
    metadata,
    _text("journey_id", sa.ForeignKey("journeys.id"), primary_key=True),
    _int("followup_hours", nullable=True),  # None: vocabulary.FOLLOWUP_TARGET_HOURS
)

followup_counts = sa.Table(
    "followup_counts",
    metadata,
    _text("journey_id", primary_key=True),
    _text("moment_id", primary_key=True),
    _int("open", server_default="0"),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    _int("id", primary_key=True),
    _text("name"),
    _text("key_hash"),
    _text("prefix"),
    _text("created_at"),
    _text("revoked_at", nullable=True),
    sa.Index("idx_api_keys_key_hash", "key_hash", unique=True),
    sa.Index("idx_api_keys_name", "name", unique=True),
)

api_buckets = sa.Table(
    "api_buckets",
    metadata,
    _int("key_id", primary_key=True, autoincrement=False),
    sa.Column("tokens", sa.Float, nullable=False),
    sa.Column("updated", sa.Float, nullable=False),
)

idempotency = sa.Table(
    "idempotency",
    metadata,
    _int("key_id", primary_key=True, autoincrement=False),
    _text("idempotency_key", primary_key=True),
    _text("request_hash"),
    _int("status"),
    _text("body"),
    _text("created_at"),
)

webhook_endpoints = sa.Table(
    "webhook_endpoints",
    metadata,
    _int("id", primary_key=True),
    _text("journey_id", sa.ForeignKey("journeys.id")),
    _text("url"),
    _text("secret"),
    _text("events"),
    _text("created_at"),
    sa.Index("idx_webhook_endpoints_journey_id", "journey_id"),
)

webhook_outbox = sa.Table(
    "webhook_outbox",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    _int("endpoint_id"),
    _text("message_id"),
    _text("event"),
    _text("payload"),
    _text("created_at"),
    _int("attempts", server_default="0"),
    _text("next_attempt_at"),
    _text("delivered_at", nullable=True),
    _text("failed_at", nullable=True),
    _text("last_error", nullable=True),
    sa.Index(
        "idx_webhook_outbox_delivered_at_failed_at_next_attempt_at",
        "delivered_at",
        "failed_at",
        "next_attempt_at",
    ),
)

digest_marks = sa.Table(
    "digest_marks",
    metadata,
    _text("name", primary_key=True),
    sa.Column("last_response_id", sa.BigInteger, nullable=False),
    _text("sent_at"),
)

admin_sessions = sa.Table(
    "admin_sessions",
    metadata,
    _text("id_hash", primary_key=True),
    _int("user_id", sa.ForeignKey("users.id")),
    _text("created_at"),
    _text("expires_at"),
    sa.Index("idx_admin_sessions_user_id", "user_id"),
)

#: Every published definition of a journey, numbered from 1, with who published it and
#: when: the journey's history, restorable.
journey_versions = sa.Table(
    "journey_versions",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    _text("journey_id", sa.ForeignKey("journeys.id")),
    _int("number"),
    _text("digest"),
    _text("definition"),  # as journeys.definition: the canonical JSON
    _text("author", nullable=True),  # an admin's name, cli:<user>, api:<key>; None: before
    _text("created_at"),
    sa.Index("idx_journey_versions_journey_id_number", "journey_id", "number", unique=True),
)

logos = sa.Table(
    "logos",
    metadata,
    _text("sha256", primary_key=True),  # content-addressed: a file is stored once
    _text("content_type"),
    sa.Column("data", sa.LargeBinary, nullable=False),
    _text("created_at"),
)
