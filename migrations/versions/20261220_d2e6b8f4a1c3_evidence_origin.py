"""evidence origin: a file's original name, who sent it, on which occasion, channel and event

Revision ID: d2e6b8f4a1c3
Revises: e2b7c4a9d1f6
Create Date: 2026-12-17 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "d2e6b8f4a1c3"
down_revision = "e2b7c4a9d1f6"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("original_name", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("sender_role", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("sender_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("occasion", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("channel", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("event_seq", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_attachments_sender_id_users"), "users", ["sender_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_attachments_sender_id_users"), type_="foreignkey")
        batch_op.drop_column("event_seq")
        batch_op.drop_column("channel")
        batch_op.drop_column("occasion")
        batch_op.drop_column("sender_id")
        batch_op.drop_column("sender_role")
        batch_op.drop_column("original_name")
