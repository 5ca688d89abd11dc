"""escalation ladder: every policy names a target for each of its three levels

Revision ID: a7e3c91d4f20
Revises: 6d7e8f9a0b12
Create Date: 2026-12-10 09:00:00

A policy's `escalation` becomes exactly [province office, national unit, oversight body],
the targets of escalation levels 1, 2 and 3. The code used to give the first entry to the
national unit and the second to the oversight body (levels 1 and 2, the first level being
the national one) and never read a third. Policies saved by the old admin form hold just
those two, [national, oversight]: they become [national, national, oversight], so the
national unit and the oversight body keep the times an admin gave them and the new first
step (the province office) gets the time the first escalation had. Policies already of
three entries were written in the labelled order (the seed) and keep it.
"""

import sqlalchemy as sa
from alembic import op

import grievance.types

revision = "a7e3c91d4f20"
down_revision = "6d7e8f9a0b12"
branch_labels = None
depends_on = None

policies = sa.table(
    "sla_policies",
    sa.column("id", sa.Integer),
    sa.column("escalation", grievance.types.JSONType),
)


def labelled(ladder):
    targets = [float(t) for t in (ladder or [])]
    if not targets:
        return []
    if len(targets) == 1:
        return targets * 3
    if len(targets) == 2:
        return [targets[0], targets[0], targets[1]]
    return targets[:3]


def positional(ladder):
    """Back to the old reading: [national, oversight] (the province step disappears)."""
    targets = [float(t) for t in (ladder or [])]
    return targets[1:3] if len(targets) >= 3 else targets


def _rewrite(convert):
    connection = op.get_bind()
    rows = connection.execute(sa.select(policies.c.id, policies.c.escalation)).all()
    for policy_id, ladder in rows:
        new = convert(ladder)
        if new != ladder:
            connection.execute(
                policies.update().where(policies.c.id == policy_id).values(escalation=new)
            )


def upgrade():
    _rewrite(labelled)


def downgrade():
    _rewrite(positional)
