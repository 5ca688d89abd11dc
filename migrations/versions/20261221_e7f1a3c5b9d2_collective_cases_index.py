"""collective cases index: the cases about more than one worker, for the figures of
affected workers by sex

Revision ID: e7f1a3c5b9d2
Revises: d2e6b8f4a1c3
Create Date: 2026-12-18 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e7f1a3c5b9d2"
down_revision = "d2e6b8f4a1c3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_cases_collective",
        "cases",
        ["complainant_id", "affected_count"],
        postgresql_where=sa.text("affected_count > 1"),
        sqlite_where=sa.text("affected_count > 1"),
    )


def downgrade():
    op.drop_index("ix_cases_collective", table_name="cases")
