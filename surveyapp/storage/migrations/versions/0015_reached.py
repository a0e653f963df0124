"""Invitations that reached their customer: the response rate's denominator, so links
made but not yet sent no longer lower it. Counted from the invitations as they stand:
a link without an email was handed out when made, an emailed one when sent or answered.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "invitation_tallies",
        sa.Column("reached", sa.Integer, nullable=False, server_default="0"),
    )
    # UPDATE ... FROM: SQLite 3.33+ and PostgreSQL; one pass over the invitations.
    op.execute(
        "UPDATE invitation_tallies SET reached = r.n FROM ("
        " SELECT journey_id, moment_id, substr(created_at, 1, 10) AS day, locale,"
        " count(*) AS n FROM invitations"
        " WHERE email IS NULL OR sent_at IS NOT NULL OR answered_at IS NOT NULL"
        " GROUP BY journey_id, moment_id, substr(created_at, 1, 10), locale) AS r"
        " WHERE invitation_tallies.journey_id = r.journey_id"
        " AND invitation_tallies.moment_id = r.moment_id"
        " AND invitation_tallies.day = r.day AND invitation_tallies.locale = r.locale"
    )


def downgrade() -> None:
    with op.batch_alter_table("invitation_tallies") as batch:
        batch.drop_column("reached")
