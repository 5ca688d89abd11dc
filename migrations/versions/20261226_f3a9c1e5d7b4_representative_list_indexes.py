"""representatives: the organisation's cases newest first, from an index

Revision ID: f3a9c1e5d7b4
Revises: d7a2c4e6f8b1
Create Date: 2026-12-07 05:30:00

A representative's list showed the cases waiting for the member first, then the newest,
by reading and sorting every case of the organisation (with no index on the organisation,
every case). Two partial indexes on (organisation, filing time, id), one of the cases
waiting for the complainant only, let both parts of the list be read newest first and stop
at the page; a third serves a representative without an organisation (the cases she filed).
"""

import sqlalchemy as sa
from alembic import op

revision = "f3a9c1e5d7b4"
down_revision = "d7a2c4e6f8b1"
branch_labels = None
depends_on = None

WAITING = "state IN ('awaiting_complainant', 'resolution_proposed', 'answered')"
INDEXES = (
    ("ix_cases_organisation_newest", "organisation_id", "organisation_id IS NOT NULL"),
    (
        "ix_cases_organisation_waiting",
        "organisation_id",
        f"organisation_id IS NOT NULL AND {WAITING}",
    ),
    ("ix_cases_filed_by_newest", "filed_by_id", "filed_by_id IS NOT NULL"),
)


def upgrade():
    for name, column, where in INDEXES:
        op.create_index(
            name,
            "cases",
            [column, "created_at", "id"],
            unique=False,
            postgresql_where=sa.text(where),
            sqlite_where=sa.text(where),
        )


def downgrade():
    for name, _column, _where in INDEXES:
        op.drop_index(name, table_name="cases")
