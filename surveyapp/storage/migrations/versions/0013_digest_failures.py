"""A journey's digest that could not be sent: how often, why, when it is tried again
(none: set aside after its last attempt, until a manager tries it again).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digest_failures",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text, nullable=False),
        sa.Column("failed_at", sa.Text, nullable=False),
        sa.Column("next_attempt_at", sa.Text, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("digest_failures")
