"""Running invitations from the browser: each invitation's batch and whether a person
opened it or opted out; the requests that were skipped (and why), so the manager sees
them beside the invitations; a queue of emails to send, so a page asking to send
100,000 invitations returns at once and the sending worker does the rest; and the
invitations' daily tallies (made, sent, opened, answered) that response rates add up,
filled from the invitations already made (before this revision nothing recorded an
opening, so those count as opened when answered).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("invitations") as table:
        table.add_column(sa.Column("batch", sa.Text, nullable=True))
        table.add_column(sa.Column("opened_at", sa.Text, nullable=True))
        table.add_column(sa.Column("opted_out_at", sa.Text, nullable=True))
    op.create_index(
        "idx_invitations_journey_id_moment_id_id", "invitations", ["journey_id", "moment_id", "id"]
    )
    op.create_index("idx_invitations_batch", "invitations", ["batch"])
    op.create_index("idx_invitations_email", "invitations", ["email"])
    failed = sa.text("sent_at IS NULL AND send_attempts > 0")
    op.create_index(
        "idx_invitations_failed",
        "invitations",
        ["journey_id", "moment_id"],
        sqlite_where=failed,
        postgresql_where=failed,
    )
    counts = ("invited", "sent", "opened", "answered")
    op.create_table(
        "invitation_tallies",
        *(
            sa.Column(k, sa.Text, primary_key=True)
            for k in ("journey_id", "moment_id", "day", "locale")
        ),
        *(sa.Column(k, sa.Integer, nullable=False, server_default=sa.text("0")) for k in counts),
    )
    # The invitations made so far, counted once; from now on each step keeps its count.
    op.execute(
        "INSERT INTO invitation_tallies "
        "(journey_id, moment_id, day, locale, invited, sent, opened, answered) "
        "SELECT journey_id, moment_id, substr(created_at, 1, 10), locale, count(*), "
        "count(sent_at), count(answered_at), count(answered_at) FROM invitations "
        "GROUP BY journey_id, moment_id, substr(created_at, 1, 10), locale"
    )
    op.create_table(
        "invitation_skips",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("batch", sa.Text, nullable=False),
        sa.Column("journey_id", sa.Text, sa.ForeignKey("journeys.id"), nullable=False),
        sa.Column("moment_id", sa.Text, nullable=False),
        sa.Column("customer_ref", sa.Text, nullable=True),
        sa.Column("email", sa.Text, nullable=True),
        sa.Column("locale", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Index("idx_invitation_skips_journey_id_moment_id_id", "journey_id", "moment_id", "id"),
        sa.Index("idx_invitation_skips_batch", "batch"),
    )
    op.create_table(
        "mail_queue",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("invitation_id", sa.BigInteger, sa.ForeignKey("invitations.id"), nullable=False),
        sa.Column("reminder", sa.Integer, nullable=False),
        sa.Column("queued_at", sa.Text, nullable=False),
        sa.Column("next_attempt_at", sa.Text, nullable=False),
        sa.Index("idx_mail_queue_invitation_id_reminder", "invitation_id", "reminder", unique=True),
        sa.Index("idx_mail_queue_next_attempt_at", "next_attempt_at"),
    )


def downgrade() -> None:
    op.drop_table("mail_queue")
    op.drop_table("invitation_skips")
    op.drop_table("invitation_tallies")
    op.drop_index("idx_invitations_failed", "invitations")
    op.drop_index("idx_invitations_email", "invitations")
    op.drop_index("idx_invitations_batch", "invitations")
    op.drop_index("idx_invitations_journey_id_moment_id_id", "invitations")
    with op.batch_alter_table("invitations") as table:
        table.drop_column("opted_out_at")
        table.drop_column("opened_at")
        table.drop_column("batch")
