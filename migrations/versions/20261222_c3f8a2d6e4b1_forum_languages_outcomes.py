"""forums in Khmer and English; the public outcome of a forum concern

Revision ID: c3f8a2d6e4b1
Revises: e7f1a3c5b9d2
Create Date: 2026-12-17 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c3f8a2d6e4b1"
down_revision = "e7f1a3c5b9d2"
branch_labels = None
depends_on = None

KHMER = (("title_km", 300), ("venue_km", 200), ("organisers_km", 300))


def upgrade():
    # Existing forums keep their one text as the English (and fallback) one.
    with op.batch_alter_table("forums") as batch:
        for name, length in KHMER:
            batch.add_column(
                sa.Column(name, sa.String(length=length), nullable=False, server_default="")
            )
    with op.batch_alter_table("forums") as batch:
        for name, _length in KHMER:
            batch.alter_column(name, server_default=None)
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("public_outcome", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("public_outcome")
    with op.batch_alter_table("forums") as batch:
        batch.drop_column("organisers_km")
        batch.drop_column("venue_km")
        batch.drop_column("title_km")
