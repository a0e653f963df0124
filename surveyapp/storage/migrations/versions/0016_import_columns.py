"""How a journey's spreadsheets of customers name their columns, as its manager said
once, so that the next file with those columns is read without asking.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("journey_settings", sa.Column("import_columns", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("journey_settings") as batch:
        batch.drop_column("import_columns")
