"""Every published definition of a journey kept, numbered, with its author and time; the
definitions stored so far become each journey's version 1 (author unknown).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "journey_versions",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("journey_id", sa.Text, sa.ForeignKey("journeys.id"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("digest", sa.Text, nullable=False),
        sa.Column("definition", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=True),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Index("idx_journey_versions_journey_id_number", "journey_id", "number", unique=True),
    )
    op.execute(
        "INSERT INTO journey_versions (journey_id, number, digest, definition, created_at) "
        "SELECT id, 1, digest, definition, updated_at FROM journeys"
    )


def downgrade() -> None:
    op.drop_table("journey_versions")
