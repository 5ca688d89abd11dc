"""message menus: a message waiting for its sender to say which case it is about

Revision ID: 6d7e8f9a0b12
Revises: 5c6d7e8f9a01
Create Date: 2026-12-09 10:00:00

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import grievance.types

revision = "6d7e8f9a0b12"
down_revision = "5c6d7e8f9a01"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "message_menus",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=12), nullable=False),
        sa.Column("sender_key", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "case_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", grievance.types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", grievance.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_menus")),
    )
    with op.batch_alter_table("message_menus", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_message_menus_sender_key"), ["sender_key"], unique=False
        )


def downgrade():
    with op.batch_alter_table("message_menus", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_menus_sender_key"))
    op.drop_table("message_menus")
