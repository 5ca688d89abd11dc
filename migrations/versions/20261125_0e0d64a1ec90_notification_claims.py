"""notification claims: the time a worker took an outbox row

Revision ID: 0e0d64a1ec90
Revises: 02c1c95a578a
Create Date: 2026-11-25 12:00:00

"""
from alembic import op
import sqlalchemy as sa
import grievance.types

# revision identifiers, used by Alembic.
revision = '0e0d64a1ec90'
down_revision = '02c1c95a578a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications') as batch_op:
        batch_op.add_column(sa.Column('claimed_at', grievance.types.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('notifications') as batch_op:
        batch_op.drop_column('claimed_at')
