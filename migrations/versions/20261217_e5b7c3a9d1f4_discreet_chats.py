"""chat sessions: a complaint filed on a chat may ask for discreet messages

Revision ID: e5b7c3a9d1f4
Revises: a7d3e5f1c9b2
Create Date: 2026-12-07 02:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e5b7c3a9d1f4"
down_revision = "a7d3e5f1c9b2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("chat_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("discreet", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table("chat_sessions", schema=None) as batch_op:
        batch_op.drop_column("discreet")
