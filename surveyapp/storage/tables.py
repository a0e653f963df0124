"""The tables as the queries see them (SQLAlchemy Core), for both engines.

The migrations make these tables and never import this module (a migration that has run
must never change); a test checks that what the migrations make is exactly this.
Times are ISO text in UTC (:func:`.database.iso`), sortable and the same on both engines.
The follow-up tables are in :mod:`.followup_tables`, the background jobs' in
:mod:`.job_tables`, the accounts' in :mod:`.account_tables`, re-exported here.
"""

from __future__ import annotations

import sqlalchemy as sa

from surveyapp.domain.scoring import TALLY_FIELDS
from surveyapp.storage.account_tables import (
    admin_sessions,
    audit_log,
    login_failures,
    password_resets,
    recovery_codes,
    reset_requests,
    users,
)
from surveyapp.storage.columns import BigId, metadata
from surveyapp.storage.columns import int_column as _int
from surveyapp.storage.columns import text_column as _text
from surveyapp.storage.followup_tables import (
    customer_emails,
    followup_counts,
    followup_events,
    followups,
    journey_settings,
    recoveries,
)
from surveyapp.storage.job_tables import job_files, jobs

__all__ = [
    "BigId",
    "admin_sessions",
    "audit_log",
    "login_failures",
    "password_resets",
    "recovery_codes",
    "reset_requests",
    "users",
    "customer_emails",
    "job_files",
    "jobs",
    "followup_counts",
    "followup_events",
    "followups",
    "journey_settings",
    "metadata",
    "recoveries",
]


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
#: made, sent, opened by a person (an answer counts) and answered, and how many reached
#: their customer (a link without an email is handed out when made, an emailed one when
#: first sent or answered), kept by each of those steps, so a response rate costs the
#: same at a thousand invitations or a million.
invitation_tallies = sa.Table(
    "invitation_tallies",
    metadata,
    _text("journey_id", primary_key=True),
    _text("moment_id", primary_key=True),
    _text("day", primary_key=True),
    _text("locale", primary_key=True),
    *(
        _int(name, server_default="0")
        for name in ("invited", "sent", "opened", "answered", "reached")
    ),
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

api_keys = sa.Table(
    "api_keys",
    metadata,
    _int("id", primary_key=True),
    _text("name"),
    _text("key_hash"),
    _text("prefix"),
    _text("created_at"),
    _text("revoked_at", nullable=True),
    _text("last_used_at", nullable=True),  # kept to the minute
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
    _text("format", server_default="standard"),  # vocabulary.WebhookFormat
    _int("pain_threshold", nullable=True),  # percent; None: no pain-share alerts
    sa.Index("idx_webhook_endpoints_journey_id", "journey_id"),
)

#: When each moment was last reported to an endpoint as above its pain threshold.
pain_alerts = sa.Table(
    "pain_alerts",
    metadata,
    _int("endpoint_id", primary_key=True),
    _text("moment_id", primary_key=True),
    _text("alerted_at"),
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

#: A journey's digest that could not be sent: its failures, the last one's reason, when
#: it is tried again (None: set aside until a manager tries it again).
digest_failures = sa.Table(
    "digest_failures",
    metadata,
    _text("name", primary_key=True),
    _int("failures"),
    _text("last_error"),
    _text("failed_at"),
    _text("next_attempt_at", nullable=True),
)

#: Each background worker's heartbeat on each node (workers/rounds.py writes it).
worker_beats = sa.Table(
    "worker_beats",
    metadata,
    _text("node", primary_key=True),
    _text("name", primary_key=True),
    _int("pid"),
    _text("started_at"),
    _text("beat_at"),
    _int("every_seconds"),
    _int("rounds", server_default="0"),
    _int("failures", server_default="0"),
    _int("restarts", server_default="0"),
    _text("last_error", nullable=True),
    _text("last_error_at", nullable=True),
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

#: The themes of a journey's comments (docs/comments.md): a name and words per language.
themes = sa.Table(
    "themes",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    _text("journey_id", sa.ForeignKey("journeys.id")),
    _text("names"),  # JSON: {locale: name}
    _text("words"),  # JSON: {locale: [word, ...]}
    _text("updated_at"),
    _text("updated_by", nullable=True),
    sa.Index("idx_themes_journey_id", "journey_id"),
)
