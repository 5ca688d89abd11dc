"""sla marks: the sweep's idempotency ledger, and open-case risk-time indexes for the sweep

Revision ID: 41c8bbe9c703
Revises: 02c1c95a578a
Create Date: 2026-11-25 14:00:00

"""
from alembic import op
import sqlalchemy as sa
import grievance.types

# revision identifiers, used by Alembic.
revision = '41c8bbe9c703'
down_revision = '02c1c95a578a'
branch_labels = None
depends_on = None

SWEEP_INDEXES = (
    ('ix_cases_sla_ack_open', 'ack_risk_at'),
    ('ix_cases_sla_resolve_open', 'resolve_risk_at'),
)


def upgrade():
    op.create_table('sla_marks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('clock', sa.String(length=12), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('deadline_version', sa.Integer(), nullable=False),
    sa.Column('due_at', grievance.types.UTCDateTime(), nullable=False),
    sa.Column('created_at', grievance.types.UTCDateTime(), nullable=False),
    sa.Column('handled_at', grievance.types.UTCDateTime(), nullable=True),
    sa.CheckConstraint("clock IN ('acknowledge', 'resolve')", name=op.f('ck_sla_marks_clock')),
    sa.CheckConstraint("kind IN ('at_risk', 'breach')", name=op.f('ck_sla_marks_kind')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_sla_marks_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_marks')),
    sa.UniqueConstraint('case_id', 'clock', 'kind', 'level', 'deadline_version', name='sla_mark_once')
    )
    op.create_index('ix_sla_marks_unhandled', 'sla_marks', ['created_at'], unique=False, postgresql_where=sa.text('handled_at IS NULL'), sqlite_where=sa.text('handled_at IS NULL'))
    # Open cases by risk time: see grievance/sla/models.py for why partial.
    for name, column in SWEEP_INDEXES:
        where = sa.text(f'closed_at IS NULL AND {column} IS NOT NULL')
        op.create_index(name, 'cases', [column], unique=False, postgresql_where=where, sqlite_where=where)


def downgrade():
    for name, _column in SWEEP_INDEXES:
        op.drop_index(name, table_name='cases')
    op.drop_index('ix_sla_marks_unhandled', table_name='sla_marks', postgresql_where=sa.text('handled_at IS NULL'), sqlite_where=sa.text('handled_at IS NULL'))
    op.drop_table('sla_marks')
