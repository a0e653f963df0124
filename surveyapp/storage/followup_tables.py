"""The follow-up tables as the queries see them: moments of pain to follow up, their
open counts, their history, their recovery surveys, and each journey's target time
(re-exported by :mod:`.tables`)."""

from __future__ import annotations

import sqlalchemy as sa

from surveyapp.storage.columns import BigId, metadata
from surveyapp.storage.columns import int_column as _int
from surveyapp.storage.columns import text_column as _text

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

#: Emails to the customer of a follow-up (the manager's message, the recovery survey)
#: waiting for the sending worker, or set aside after failing; sent, they leave. The
#: recovery survey's message is written when it is sent, with a new link (only its hash
#: is kept, in ``recoveries``).
customer_emails = sa.Table(
    "customer_emails",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("response_id", sa.BigInteger, sa.ForeignKey("followups.response_id"), nullable=False),
    _text("kind"),  # one of vocabulary.CUSTOMER_EMAIL_KINDS
    # "recovery:<response id>" for the recovery survey (one per follow-up), else None.
    _text("once", nullable=True),
    _text("to_address"),
    _text("subject", nullable=True),
    _text("body", nullable=True),
    _text("locale"),
    _text("asked_by", nullable=True),
    _text("asked_at"),
    # Due or leased until then; None when sent or set aside after its last attempt.
    _text("next_attempt_at", nullable=True),
    _int("attempts", server_default="0"),
    _text("last_error", nullable=True),
    _text("failed_at", nullable=True),
    sa.Index("idx_customer_emails_once", "once", unique=True),
    sa.Index("idx_customer_emails_response_id", "response_id"),
    sa.Index("idx_customer_emails_next_attempt_at", "next_attempt_at"),
)

#: What a journey's managers set in the browser, apart from its definition.
journey_settings = sa.Table(
    "journey_settings",
    metadata,
    _text("journey_id", sa.ForeignKey("journeys.id"), primary_key=True),
    _int("followup_hours", nullable=True),  # None: vocabulary.FOLLOWUP_TARGET_HOURS
    # The journey's own digest of new negative responses: addresses (JSON list), language,
    # and one of vocabulary.DIGEST_FREQUENCIES (None: no digest of its own).
    _text("digest_to", nullable=True),
    _text("digest_locale", nullable=True),
    _text("digest_every", nullable=True),
    # How this journey's spreadsheets of customers name their columns, as a manager said
    # once (JSON: {"customer": "Nom du client", "email": ..., "locale": ...}).
    _text("import_columns", nullable=True),
    # Retention: responses, contacts and invitations older than this many days are
    # deleted or anonymized (governance_vocabulary.RetentionAction) by the jobs worker; None: kept.
    _int("retention_days", nullable=True),
    _text("retention_action", nullable=True),
    _text("retention_applied_at", nullable=True),
)

followup_counts = sa.Table(
    "followup_counts",
    metadata,
    _text("journey_id", primary_key=True),
    _text("moment_id", primary_key=True),
    _int("open", server_default="0"),
)
