"""search: the reader's scope of each found case from an index alone

Revision ID: d7a2c4e6f8b1
Revises: c5f1a9d3e7b2
Create Date: 2026-12-17 11:00:00

A word search holds each case the GIN index finds against the reader's scope (province,
confidentiality, officer). With these columns in an index on the case id, PostgreSQL
checks them with an index-only scan instead of reading each case's row. SQLite (FTS5)
keeps an empty index of the same name.
"""

import sqlalchemy as sa
from alembic import op

revision = "d7a2c4e6f8b1"
down_revision = "c5f1a9d3e7b2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_cases_search_scope",
        "cases",
        ["id"],
        unique=False,
        postgresql_include=["province_code", "confidentiality", "assignee_id"],
        sqlite_where=sa.text("0"),
    )


def downgrade():
    op.drop_index("ix_cases_search_scope", table_name="cases")
