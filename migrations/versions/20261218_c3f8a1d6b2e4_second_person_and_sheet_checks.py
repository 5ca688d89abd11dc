"""requests that need a second person (staff withdrawal, merge); forum sheets checked by a job

Revision ID: c3f8a1d6b2e4
Revises: e5b7c3a9d1f4
Create Date: 2026-12-17 09:00:00
"""

import sqlalchemy as sa
from alembic import op

import grievance.types

revision = "c3f8a1d6b2e4"
down_revision = "e5b7c3a9d1f4"
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")
IMPORTS_BEFORE = "status IN ('done', 'failed', 'preview', 'queued', 'running')"
IMPORTS_AFTER = "status IN ('checking', 'done', 'failed', 'preview', 'queued', 'running')"


def _import_states(sql):
    with op.batch_alter_table("forum_imports", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_forum_imports_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_forum_imports_status"), sql)


def upgrade():
    op.create_table(
        "approval_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("transition", sa.String(length=40), nullable=False),
        sa.Column("inputs", grievance.types.JSONType, nullable=False),
        sa.Column("asked_by_id", sa.Integer(), nullable=False),
        sa.Column("asked_at", grievance.types.UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", grievance.types.UTCDateTime(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('approved', 'lapsed', 'pending', 'refused')",
            name=op.f("ck_approval_requests_status"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_approval_requests_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["asked_by_id"], ["users.id"], name=op.f("fk_approval_requests_asked_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_approval_requests_decided_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_requests")),
    )
    op.create_index(
        op.f("ix_approval_requests_case_id"), "approval_requests", ["case_id"], unique=False
    )
    op.create_index(
        "ix_approval_requests_status_asked",
        "approval_requests",
        ["status", "asked_at"],
        unique=False,
    )
    op.create_index(
        "uq_approval_requests_pending",
        "approval_requests",
        ["case_id"],
        unique=True,
        postgresql_where=PENDING,
        sqlite_where=PENDING,
    )
    _import_states(IMPORTS_AFTER)


def downgrade():
    op.execute("UPDATE forum_imports SET status = 'failed' WHERE status = 'checking'")
    _import_states(IMPORTS_BEFORE)
    op.drop_index("uq_approval_requests_pending", table_name="approval_requests")
    op.drop_index("ix_approval_requests_status_asked", table_name="approval_requests")
    op.drop_index(op.f("ix_approval_requests_case_id"), table_name="approval_requests")
    op.drop_table("approval_requests")
