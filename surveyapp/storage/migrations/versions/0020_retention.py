"""Retention: per journey, how many days its responses, contacts and invitations are
kept, whether older ones are deleted or anonymized, and when that was last applied.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("journey_settings") as batch:
        batch.add_column(sa.Column("retention_days", sa.Integer, nullable=True))
        batch.add_column(sa.Column("retention_action", sa.Text, nullable=True))
        batch.add_column(sa.Column("retention_applied_at", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("journey_settings") as batch:
        batch.drop_column("retention_applied_at")
        batch.drop_column("retention_action")
        batch.drop_column("retention_days")
