"""The recovery loop: a one-question survey ("Did we make it right?") sent by a personal,
single-use link after a moment of pain was resolved, and its answer, linked to the pain.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recoveries",
        sa.Column(
            "response_id",
            sa.BigInteger,
            sa.ForeignKey("followups.response_id"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("journey_id", sa.Text, nullable=False),
        sa.Column("moment_id", sa.Text, nullable=False),
        sa.Column("token_hash", sa.Text, nullable=False),
        sa.Column("locale", sa.Text, nullable=False),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("sent_by", sa.Text, nullable=True),
        sa.Column("sent_at", sa.Text, nullable=False),
        sa.Column("expires_at", sa.Text, nullable=False),
        sa.Column("answered_at", sa.Text, nullable=True),
        sa.Column("answer", sa.Text, nullable=True),
        sa.Index("idx_recoveries_token_hash", "token_hash", unique=True),
        sa.Index("idx_recoveries_journey_id_moment_id", "journey_id", "moment_id"),
    )


def downgrade() -> None:
    op.drop_table("recoveries")
