"""voice notes: an attachment's length, playable copy and transcript

Revision ID: c4a9e7b15d03
Revises: a7c1e5d9b3f2
Create Date: 2026-12-12 09:00:00

A voice note is stored as it came; a job adds a copy browsers can play (for AMR and M4A)
and, when a transcriber is configured, a transcript.
"""

import sqlalchemy as sa
from alembic import op

revision = "c4a9e7b15d03"
down_revision = "a7c1e5d9b3f2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("attachments") as batch:
        batch.add_column(sa.Column("seconds", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("playable_name", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("transcript", sa.Text(), nullable=True))
        batch.create_unique_constraint(
            batch.f("uq_attachments_playable_name"), ["playable_name"]
        )


def downgrade():
    with op.batch_alter_table("attachments") as batch:
        batch.drop_constraint(batch.f("uq_attachments_playable_name"), type_="unique")
        batch.drop_column("transcript")
        batch.drop_column("playable_name")
        batch.drop_column("seconds")
