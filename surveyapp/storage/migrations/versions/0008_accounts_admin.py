"""Administration from the browser: each account's email, last login, whether it is
disabled and, for a viewer, the journeys it is limited to; single-use password-reset
links (their SHA-256 only); the audit log of every change an admin makes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("users") as table:
        table.add_column(sa.Column("email", sa.Text, nullable=True))
        table.add_column(sa.Column("journeys", sa.Text, nullable=True))
        table.add_column(sa.Column("disabled_at", sa.Text, nullable=True))
        table.add_column(sa.Column("last_login_at", sa.Text, nullable=True))
    op.create_table(
        "password_resets",
        sa.Column("token_hash", sa.Text, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("expires_at", sa.Text, nullable=False),
        sa.Column("used_at", sa.Text, nullable=True),
        sa.Index("idx_password_resets_user_id", "user_id"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("actor", sa.Text, nullable=True),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_table("password_resets")
    with op.batch_alter_table("users") as table:
        for name in ("last_login_at", "disabled_at", "journeys", "email"):
            table.drop_column(name)
