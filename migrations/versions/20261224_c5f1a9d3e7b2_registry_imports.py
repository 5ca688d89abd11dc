"""registry imports: a sheet checked by a job, previewed, then applied by another

Revision ID: c5f1a9d3e7b2
Revises: b3e8d2f4a6c1
Create Date: 2026-12-17 10:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import grievance.types

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

revision = "c5f1a9d3e7b2"
down_revision = "b3e8d2f4a6c1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "registry_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("original_name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("errors", JSON, nullable=False),
        sa.Column("preview", JSON, nullable=False),
        sa.Column("created_at", grievance.types.UTCDateTime(), nullable=False),
        sa.Column("finished_at", grievance.types.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('employer', 'health_facility')", name=op.f("ck_registry_imports_kind")
        ),
        sa.CheckConstraint(
            "status IN ('checking', 'done', 'failed', 'preview', 'queued', 'running')",
            name=op.f("ck_registry_imports_status"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_registry_imports_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_imports")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_registry_imports_stored_name")),
    )


def downgrade():
    op.drop_table("registry_imports")
