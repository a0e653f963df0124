"""The tables of the people who use the admin area: their accounts, sessions, failed
sign-ins, password links (made or asked for), two-factor recovery codes, and the audit
log of what they change. Re-exported by :mod:`.tables`."""

from __future__ import annotations

import sqlalchemy as sa

from surveyapp.storage.columns import BigId, metadata
from surveyapp.storage.columns import int_column as _int
from surveyapp.storage.columns import text_column as _text

users = sa.Table(
    "users",
    metadata,
    _int("id", primary_key=True),
    _text("username"),
    _text("password_hash"),
    _text("role"),
    _text("locale", nullable=True),
    _text("created_at"),
    _text("email", nullable=True),  # where a password-reset link goes
    _text("journeys", nullable=True),  # JSON list: the only journeys a viewer sees; None: all
    _text("disabled_at", nullable=True),  # set: the account cannot log in
    _text("last_login_at", nullable=True),
    # Two-factor sign-in (TOTP): the shared secret (stored once a code confirmed it), when it
    # was turned on, and the last time step a code was used in (a code works once).
    _text("totp_secret", nullable=True),
    _text("totp_enabled_at", nullable=True),
    _int("totp_last_step", nullable=True),
    sa.Index("idx_users_username", "username", unique=True),
)

#: An account's single-use recovery codes for two-factor sign-in: only their SHA-256.
recovery_codes = sa.Table(
    "recovery_codes",
    metadata,
    _text("code_hash", primary_key=True),
    _int("user_id", sa.ForeignKey("users.id")),
    _text("used_at", nullable=True),
    sa.Index("idx_recovery_codes_user_id", "user_id"),
)

#: Single-use links that set an account's password (sent by email, or shown once to the
#: admin who made them): only the token's SHA-256 is kept.
password_resets = sa.Table(
    "password_resets",
    metadata,
    _text("token_hash", primary_key=True),
    _int("user_id", sa.ForeignKey("users.id")),
    _text("created_at"),
    _text("expires_at"),
    _text("used_at", nullable=True),
    sa.Index("idx_password_resets_user_id", "user_id"),
)

#: Links to set a password asked for from the login page, waiting for the sending
#: worker, which makes each link when it sends it (so no token is ever kept in clear):
#: the page answers at once, the same whether the account exists or not. One per account.
reset_requests = sa.Table(
    "reset_requests",
    metadata,
    _int("user_id", sa.ForeignKey("users.id"), primary_key=True, autoincrement=False),
    _text("locale"),
    _text("asked_at"),
    # Due or leased until then; None when set aside after its last attempt.
    _text("next_attempt_at", nullable=True),
    _int("attempts", server_default="0"),
    _text("last_error", nullable=True),
    sa.Index("idx_reset_requests_next_attempt_at", "next_attempt_at"),
)

#: Every change an admin makes to the service's administration: who, when, what.
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    _text("at"),
    _text("actor", nullable=True),  # an admin's username, cli:<user>; None: the service
    _text("action"),  # one of audit_vocabulary.AUDIT_ACTIONS
    _text("target"),  # what it was done to: a username, a journey id
    _text("detail", nullable=True),  # JSON
)

login_failures = sa.Table(
    "login_failures",
    metadata,
    _text("key", primary_key=True),
    _int("failures"),
    _text("last_at"),
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
