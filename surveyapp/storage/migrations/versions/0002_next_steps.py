"""What customers are offered after answering, and what they do with it: four counts in
the daily tallies (review offered and clicked, contact offered and left) and, on a
follow-up, the contact a customer left with their consent.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COUNTS = ("review_offered", "review_clicked", "contact_offered", "contact_left")


def upgrade() -> None:
    with op.batch_alter_table("daily_tallies") as table:
        for name in COUNTS:
            table.add_column(
                sa.Column(name, sa.Integer, nullable=False, server_default=sa.text("0"))
            )
    with op.batch_alter_table("followups") as table:
        table.add_column(sa.Column("contact", sa.Text, nullable=True))
        table.add_column(sa.Column("contact_at", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("followups") as table:
        table.drop_column("contact_at")
        table.drop_column("contact")
    with op.batch_alter_table("daily_tallies") as table:
        for name in reversed(COUNTS):
            table.drop_column(name)
