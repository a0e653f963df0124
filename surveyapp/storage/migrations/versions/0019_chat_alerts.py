"""Alerts where teams talk: a webhook endpoint's format (signed JSON, Slack or Microsoft
Teams), the pain share above which it hears about a moment, and when each moment was
last reported to it (one alert per moment and endpoint in any seven days).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.add_column(sa.Column("format", sa.Text, nullable=False, server_default="standard"))
        batch.add_column(sa.Column("pain_threshold", sa.Integer, nullable=True))
    op.create_table(
        "pain_alerts",
        sa.Column("endpoint_id", sa.Integer, primary_key=True),
        sa.Column("moment_id", sa.Text, primary_key=True),
        sa.Column("alerted_at", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("pain_alerts")
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.drop_column("pain_threshold")
        batch.drop_column("format")
