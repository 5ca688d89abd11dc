"""contact opt-outs: STOP kept by channel and address, for numbers never seen too

Revision ID: 5c6d7e8f9a01
Revises: e4f5a6b7c8d9, e3f4a5b6c7d8
Create Date: 2026-12-09 09:00:00

Also joins the two lines of migrations (case search, inbound messages). The numbers that
opted out on a person's row move to the new table (one row per number), and the person
column and its partial index go.
"""

import sqlalchemy as sa
from alembic import op

import grievance.types

revision = "5c6d7e8f9a01"
down_revision = ("e4f5a6b7c8d9", "e3f4a5b6c7d8")
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "contact_opt_outs",
        sa.Column("channel", sa.String(length=12), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("created_at", grievance.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("channel", "address", name=op.f("pk_contact_opt_outs")),
    )
    op.execute(
        "INSERT INTO contact_opt_outs (channel, address, created_at) "
        "SELECT 'sms', phone, MIN(sms_opt_out_at) FROM persons "
        "WHERE phone IS NOT NULL AND sms_opt_out_at IS NOT NULL GROUP BY phone"
    )
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_index("ix_persons_phone_opted_out")
        batch_op.drop_column("sms_opt_out_at")


def downgrade():
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sms_opt_out_at", grievance.types.UTCDateTime(), nullable=True))
        batch_op.create_index(
            "ix_persons_phone_opted_out",
            ["phone"],
            unique=False,
            postgresql_where=sa.text("sms_opt_out_at IS NOT NULL"),
            sqlite_where=sa.text("sms_opt_out_at IS NOT NULL"),
        )
    op.execute(
        "UPDATE persons SET sms_opt_out_at = (SELECT created_at FROM contact_opt_outs o "
        "WHERE o.channel = 'sms' AND o.address = persons.phone)"
    )
    op.drop_table("contact_opt_outs")
