"""Links to set a password asked for from the login page, queued for the sending worker
(which makes each link as it sends it), so the page answers at once whether the account
exists or not.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reset_requests",
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("users.id"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("locale", sa.Text, nullable=False),
        sa.Column("asked_at", sa.Text, nullable=False),
        sa.Column("next_attempt_at", sa.Text, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text, nullable=True),
    )
    op.create_index("idx_reset_requests_next_attempt_at", "reset_requests", ["next_attempt_at"])


def downgrade() -> None:
    op.drop_table("reset_requests")
