"""Emails to the customer of a follow-up (the manager's message, the recovery survey)
sent by the sending worker, tried again after a failure and set aside after the last.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "customer_emails",
        sa.Column("id", BigId, primary_key=True),
        sa.Column(
            "response_id",
            sa.BigInteger,
            sa.ForeignKey("followups.response_id"),
            nullable=False,
        ),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("once", sa.Text, nullable=True),
        sa.Column("to_address", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=True),
        sa.Column("body", sa.Text, nullable=True),
        sa.Column("locale", sa.Text, nullable=False),
        sa.Column("asked_by", sa.Text, nullable=True),
        sa.Column("asked_at", sa.Text, nullable=False),
        sa.Column("next_attempt_at", sa.Text, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("failed_at", sa.Text, nullable=True),
    )
    op.create_index("idx_customer_emails_once", "customer_emails", ["once"], unique=True)
    op.create_index("idx_customer_emails_response_id", "customer_emails", ["response_id"])
    op.create_index("idx_customer_emails_next_attempt_at", "customer_emails", ["next_attempt_at"])


def downgrade() -> None:
    op.drop_table("customer_emails")
