"""Two-factor sign-in for local accounts: a TOTP secret per account, when it was turned
on, the last time step a code was used in, and single-use recovery codes (hashed).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("totp_secret", sa.Text, nullable=True))
        batch.add_column(sa.Column("totp_enabled_at", sa.Text, nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.Integer, nullable=True))
    op.create_table(
        "recovery_codes",
        sa.Column("code_hash", sa.Text, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("used_at", sa.Text, nullable=True),
    )
    op.create_index("idx_recovery_codes_user_id", "recovery_codes", ["user_id"])


def downgrade() -> None:
    op.drop_table("recovery_codes")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_enabled_at")
        batch.drop_column("totp_secret")
