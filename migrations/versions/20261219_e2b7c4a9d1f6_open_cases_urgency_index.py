"""open cases in urgency order: an index that serves the "all cases I may see" list

Revision ID: e2b7c4a9d1f6
Revises: c3f8a1d6b2e4
Create Date: 2026-12-07 02:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e2b7c4a9d1f6"
down_revision = "c3f8a1d6b2e4"
branch_labels = None
depends_on = None

OPEN = sa.text("closed_at IS NULL")
INCLUDE = [
    "state",
    "assignee_id",
    "confidentiality",
    "paused_at",
    "category_id",
    "province_code",
    "priority",
]


def upgrade():
    op.create_index(
        "ix_cases_open_urgency",
        "cases",
        [sa.text("overdue DESC"), "resolve_due_at", "id"],
        unique=False,
        postgresql_where=OPEN,
        sqlite_where=OPEN,
        postgresql_include=INCLUDE,
    )


def downgrade():
    op.drop_index("ix_cases_open_urgency", table_name="cases")
