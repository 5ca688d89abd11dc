"""partner list index: (partner, case) serves a partner's cases newest first

Revision ID: b8f4d2a61c35
Revises: a7e3c91d4f20
Create Date: 2026-12-11 09:00:00

The list reads a partner's cases in index order and stops after a page, instead of
joining and sorting all of them; the single-column index it replaces is a prefix of it.
"""

from alembic import op

revision = "b8f4d2a61c35"
down_revision = "a7e3c91d4f20"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_partner_cases_partner_case", "partner_cases", ["partner_id", "case_id"])
    op.drop_index("ix_partner_cases_partner_id", table_name="partner_cases")


def downgrade():
    op.create_index("ix_partner_cases_partner_id", "partner_cases", ["partner_id"])
    op.drop_index("ix_partner_cases_partner_case", table_name="partner_cases")
