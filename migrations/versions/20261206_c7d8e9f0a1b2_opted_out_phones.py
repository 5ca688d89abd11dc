"""An index of the phone numbers that said STOP, for the check every SMS makes.

Revision ID: c7d8e9f0a1b2
Revises: b1c2d3e4f5a6
Create Date: 2026-12-06 15:00:00

Before it, the check walked every person with the number (`ix_persons_phone`) to find one
that had opted out: on a phone shared by a forum or a family, thousands of rows per SMS.
"""

import sqlalchemy as sa
from alembic import op

revision = "c7d8e9f0a1b2"
down_revision = "b1c2d3e4f5a6"
branch_labels = None
depends_on = None

OPTED_OUT = sa.text("sms_opt_out_at IS NOT NULL")


def upgrade():
    op.create_index(
        "ix_persons_phone_opted_out",
        "persons",
        ["phone"],
        unique=False,
        postgresql_where=OPTED_OUT,
        sqlite_where=OPTED_OUT,
    )


def downgrade():
    op.drop_index("ix_persons_phone_opted_out", table_name="persons")
