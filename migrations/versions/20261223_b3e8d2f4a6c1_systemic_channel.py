"""systemic: the channel of a cluster's parent case

Revision ID: b3e8d2f4a6c1
Revises: c3f8a2d6e4b1
Create Date: 2026-12-17 09:00:00

A supervisor's systemic case (the parent of a cluster) was filed as a walk-in; it gets a
channel of its own, so that figures and exports by channel tell it apart from the
complaints it answers. The parents already opened move to it.
"""

from alembic import op

revision = "b3e8d2f4a6c1"
down_revision = "c3f8a2d6e4b1"
branch_labels = None
depends_on = None

OLD = "channel IN ('api', 'forum', 'hotline', 'open311', 'sms', 'telegram', 'walk_in', 'web')"
NEW = (
    "channel IN ('api', 'forum', 'hotline', 'open311', 'sms', 'systemic', 'telegram', "
    "'walk_in', 'web')"
)
PARENTS = "SELECT parent_case_id FROM systemic_clusters WHERE parent_case_id IS NOT NULL"


def _channels(table, sql):
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(op.f(f"ck_{table}_channel"), type_="check")
        batch_op.create_check_constraint(op.f(f"ck_{table}_channel"), sql)


def upgrade():
    _channels("cases", NEW)
    _channels("inbound_messages", NEW)
    op.execute(f"UPDATE cases SET channel = 'systemic' WHERE id IN ({PARENTS})")


def downgrade():
    op.execute("UPDATE cases SET channel = 'walk_in' WHERE channel = 'systemic'")
    _channels("inbound_messages", OLD)
    _channels("cases", OLD)
