"""oversight: working-day index, statistics snapshots, case exports

Revision ID: 6f1e2d9c4b7a
Revises: 02c1c95a578a
Create Date: 2026-11-25 13:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
import grievance.types

# revision identifiers, used by Alembic.
revision = '6f1e2d9c4b7a'
down_revision = '02c1c95a578a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('working_days',
    sa.Column('province_code', sa.String(length=8), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('worked_before', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('province_code', 'day', name=op.f('pk_working_days'))
    )
    op.create_table('stats_snapshots',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('generated_at', grievance.types.UTCDateTime(), nullable=True),
    sa.Column('requested_at', grievance.types.UTCDateTime(), nullable=True),
    sa.Column('took_ms', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_stats_snapshots'))
    )
    op.create_table('case_exports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('filters', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('created_at', grievance.types.UTCDateTime(), nullable=False),
    sa.Column('finished_at', grievance.types.UTCDateTime(), nullable=True),
    sa.CheckConstraint("status IN ('done', 'failed', 'queued', 'running')", name=op.f('ck_case_exports_status')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_case_exports_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_exports')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_case_exports_stored_name'))
    )
    with op.batch_alter_table('case_exports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_exports_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('case_exports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_exports_user_id'))
    op.drop_table('case_exports')
    op.drop_table('stats_snapshots')
    op.drop_table('working_days')
