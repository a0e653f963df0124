"""Each journey's own email digest, set in the browser: to whom, in which language, how
often.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("journey_settings") as table:
        table.add_column(sa.Column("digest_to", sa.Text, nullable=True))
        table.add_column(sa.Column("digest_locale", sa.Text, nullable=True))
        table.add_column(sa.Column("digest_every", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("journey_settings") as table:
        for name in ("digest_every", "digest_locale", "digest_to"):
            table.drop_column(name)
