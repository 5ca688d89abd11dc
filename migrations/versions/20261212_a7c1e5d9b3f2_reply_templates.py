"""reply templates: replies officers start from, in Khmer and English, kept by admins

Revision ID: a7c1e5d9b3f2
Revises: b8f4d2a61c35
Create Date: 2026-12-10 09:00:00
"""

import sqlalchemy as sa
from alembic import op

import grievance.types

revision = "a7c1e5d9b3f2"
down_revision = "b8f4d2a61c35"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reply_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("purpose", sa.String(length=24), nullable=False),
        sa.Column("body_km", sa.Text(), nullable=False),
        sa.Column("body_en", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", grievance.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply_templates")),
    )


def downgrade():
    op.drop_table("reply_templates")
