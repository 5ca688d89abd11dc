"""queue workspace: search (trigram) indexes and partial indexes for the workspace

Revision ID: d8acee8bc460
Revises: 02c1c95a578a
Create Date: 2026-11-25 15:00:00

PostgreSQL gets pg_trgm GIN indexes (a trusted extension since PostgreSQL 13: the database
owner may create it). SQLite gets partial indexes on nothing, so both backends carry the
same index names and the models match the migrations; SQLite searches scan instead.
The other indexes are partial (a queue's backlog, claimable cases, open cases) and shaped
for one workspace query each; see grievance/queues/models.py.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd8acee8bc460'
down_revision = '02c1c95a578a'
branch_labels = None
depends_on = None

TRIGRAM = (
    ('ix_cases_description_trgm', 'cases', 'description'),
    ('ix_cases_concerned_name_trgm', 'cases', 'concerned_name'),
    ('ix_persons_name_trgm', 'persons', 'name'),
)

BACKLOG = 'assignee_id IS NULL AND closed_at IS NULL'
CLAIMABLE = "assignee_id IS NULL AND state = 'acknowledged'"
OPEN = 'closed_at IS NULL'
# name, columns, partial-index condition, PostgreSQL INCLUDE columns
WORKSPACE_INDEXES = (
    ('ix_cases_backlog_due', ['queue_id', 'resolve_due_at', 'id'], BACKLOG,
     ['state', 'acknowledged_at', 'overdue', 'paused_at', 'confidentiality', 'province_code']),
    ('ix_cases_backlog_age', ['queue_id', 'created_at', 'id'], BACKLOG, []),
    ('ix_cases_claimable', ['queue_id', 'resolve_due_at', 'id'], CLAIMABLE, []),
    ('ix_cases_assignee_open', ['assignee_id', sa.text('overdue DESC'), 'resolve_due_at', 'id'],
     OPEN, ['state', 'paused_at', 'category_id', 'province_code', 'priority']),
    ('ix_cases_complainant_id', ['complainant_id'], None, []),
)


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    for name, table, column in TRIGRAM:
        op.create_index(
            name,
            table,
            [column],
            unique=False,
            postgresql_using='gin',
            postgresql_ops={column: 'gin_trgm_ops'},
            sqlite_where=sa.text('0'),
        )
    for name, columns, where, include in WORKSPACE_INDEXES:
        condition = sa.text(where) if where else None
        op.create_index(
            name,
            'cases',
            columns,
            unique=False,
            postgresql_where=condition,
            sqlite_where=condition,
            postgresql_include=include,
        )


def downgrade():
    for name, *_rest in WORKSPACE_INDEXES:
        op.drop_index(name, table_name='cases')
    # The pg_trgm extension stays: other objects may have come to depend on it.
    for name, table, _column in TRIGRAM:
        op.drop_index(name, table_name=table)
