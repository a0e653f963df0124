"""The follow-up inbox at scale: each follow-up keeps when its response came, by which
channel and in which language (so the inbox filters and pages on one table), an owner, a
revision (a stale edit is refused), when it was resolved; every change is kept in its
history; each journey has a target time to handle a moment of pain.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("followups") as table:
        table.add_column(sa.Column("created_at", sa.Text, nullable=False, server_default=""))
        table.add_column(sa.Column("channel", sa.Text, nullable=False, server_default=""))
        table.add_column(sa.Column("locale", sa.Text, nullable=False, server_default=""))
        table.add_column(sa.Column("owner", sa.Text, nullable=True))
        table.add_column(
            sa.Column("revision", sa.Integer, nullable=False, server_default=sa.text("0"))
        )
        table.add_column(sa.Column("resolved_at", sa.Text, nullable=True))
    op.execute(
        "UPDATE followups SET "
        "created_at = (SELECT created_at FROM responses WHERE responses.id = response_id), "
        "channel = (SELECT channel FROM responses WHERE responses.id = response_id), "
        "locale = (SELECT locale FROM responses WHERE responses.id = response_id)"
    )
    op.execute("UPDATE followups SET resolved_at = updated_at WHERE status = 'resolved'")
    # Covers every filter but text, in the inbox's order: counting and paging read it alone.
    op.create_index(
        "idx_followups_inbox",
        "followups",
        ["journey_id", "created_at", "status", "moment_id", "owner", "channel", "locale"],
    )
    op.create_table(
        "followup_events",
        sa.Column("id", BigId, primary_key=True),
        sa.Column(
            "response_id", sa.BigInteger, sa.ForeignKey("followups.response_id"), nullable=False
        ),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("by", sa.Text, nullable=True),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=True),
        sa.Index("idx_followup_events_response_id", "response_id"),
    )
    op.create_table(
        "journey_settings",
        sa.Column("journey_id", sa.Text, sa.ForeignKey("journeys.id"), primary_key=True),
        sa.Column("followup_hours", sa.Integer, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("journey_settings")
    op.drop_table("followup_events")
    op.drop_index("idx_followups_inbox", "followups")
    with op.batch_alter_table("followups") as table:
        for name in ("resolved_at", "revision", "owner", "locale", "channel", "created_at"):
            table.drop_column(name)
