"""secret checks: one-time codes that verify a caller before a case gets a new secret

Revision ID: 3f1a9c2e7b10
Revises: c7d8e9f0a1b2
Create Date: 2026-12-06 20:20:00

"""
from alembic import op
import sqlalchemy as sa
import grievance.types

# revision identifiers, used by Alembic.
revision = '3f1a9c2e7b10'
down_revision = 'c7d8e9f0a1b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('secret_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', grievance.types.UTCDateTime(), nullable=False),
    sa.Column('expires_at', grievance.types.UTCDateTime(), nullable=False),
    sa.Column('used_at', grievance.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_secret_checks_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['users.id'], name=op.f('fk_secret_checks_staff_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_secret_checks'))
    )
    with op.batch_alter_table('secret_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_secret_checks_case_id'), ['case_id'], unique=False)


def downgrade():
    with op.batch_alter_table('secret_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_secret_checks_case_id'))

    op.drop_table('secret_checks')
