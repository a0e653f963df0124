"""Themes of comments: per journey, a name and the words that make a comment about it, in
each language (docs/comments.md).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "themes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("journey_id", sa.Text, sa.ForeignKey("journeys.id"), nullable=False),
        sa.Column("names", sa.Text, nullable=False),
        sa.Column("words", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Text, nullable=False),
        sa.Column("updated_by", sa.Text, nullable=True),
    )
    op.create_index("idx_themes_journey_id", "themes", ["journey_id"])


def downgrade() -> None:
    op.drop_index("idx_themes_journey_id", table_name="themes")
    op.drop_table("themes")
