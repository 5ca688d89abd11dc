"""case search: Khmer-aware full-text index (tsvector on PostgreSQL, FTS5 on SQLite)

Revision ID: e4f5a6b7c8d9
Revises: 3f1a9c2e7b10
Create Date: 2026-12-07 09:00:00

One row per case in `case_search`. PostgreSQL: `doc` is a tsvector built by the app from
the case's terms (grievance.search.models.Terms) with a GIN index. SQLite: the terms go to
the FTS5 table `case_search_fts` (rowid = case id); `doc` stays NULL and its index is a
partial index on nothing, so both backends carry the same names. The trigram indexes of the
earlier substring search go: nothing reads them any more, and each filing paid for them.

Existing cases are indexed here, in batches (for a large database `flask search reindex`
does the same afterwards, resumable; run it instead by stopping this migration's backfill
with SAMLENG_SKIP_SEARCH_BACKFILL=1).
"""
import os

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'e4f5a6b7c8d9'
down_revision = '3f1a9c2e7b10'
branch_labels = None
depends_on = None

TRIGRAM = (
    ('ix_cases_description_trgm', 'cases', 'description'),
    ('ix_cases_concerned_name_trgm', 'cases', 'concerned_name'),
    ('ix_persons_name_trgm', 'persons', 'name'),
)
FTS_CREATE = (
    "CREATE VIRTUAL TABLE case_search_fts USING fts5(description, concerned, names, "
    "tokenize = \"unicode61 remove_diacritics 0 categories 'L* M* N* Co'\")"
)
BATCH = 500


def upgrade():
    postgres = op.get_bind().dialect.name == 'postgresql'
    op.create_table(
        'case_search',
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('doc', postgresql.TSVECTOR() if postgres else sa.Text(), nullable=True),
        sa.Column('key_version', sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_search_case_id_cases'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('case_id', name=op.f('pk_case_search')),
    )
    op.create_index(
        'ix_case_search_doc', 'case_search', ['doc'], unique=False,
        postgresql_using='gin', sqlite_where=sa.text('0'),
    )
    if not postgres:
        op.execute(FTS_CREATE)
    for name, table, _column in TRIGRAM:
        op.drop_index(name, table_name=table)
    if not os.environ.get('SAMLENG_SKIP_SEARCH_BACKFILL'):
        _backfill(postgres)


def _backfill(postgres):
    from grievance.khmer import KEY_VERSION, terms
    from grievance.search.models import Terms

    bind = op.get_bind()
    after = 0
    while True:
        rows = bind.execute(sa.text(
            'SELECT c.id, c.description, c.concerned_name, p.name FROM cases c '
            'LEFT JOIN persons p ON p.id = c.complainant_id WHERE c.id > :after '
            'ORDER BY c.id LIMIT :batch'
        ), {'after': after, 'batch': BATCH}).all()
        if not rows:
            return
        found = {r[0]: Terms(terms(r[1] or ''), terms(r[2] or ''), terms(r[3] or '')) for r in rows}
        if postgres:
            bind.execute(
                sa.text('INSERT INTO case_search (case_id, doc, key_version) '
                        'VALUES (:id, CAST(:doc AS tsvector), :v)'),
                [{'id': i, 'doc': t.tsvector(case_id=i), 'v': KEY_VERSION} for i, t in found.items()],
            )
        else:
            bind.execute(
                sa.text('INSERT INTO case_search (case_id, key_version) VALUES (:id, :v)'),
                [{'id': i, 'v': KEY_VERSION} for i in found],
            )
            bind.execute(
                sa.text('INSERT INTO case_search_fts (rowid, description, concerned, names) '
                        'VALUES (:id, :d, :c, :n)'),
                [{'id': i, 'd': ' '.join(t.description), 'c': ' '.join(t.concerned),
                  'n': ' '.join(t.names)} for i, t in found.items()],
            )
        after = rows[-1][0]


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    else:
        op.execute('DROP TABLE IF EXISTS case_search_fts')
    for name, table, column in TRIGRAM:
        op.create_index(
            name, table, [column], unique=False, postgresql_using='gin',
            postgresql_ops={column: 'gin_trgm_ops'}, sqlite_where=sa.text('0'),
        )
    op.drop_index('ix_case_search_doc', table_name='case_search', sqlite_where=sa.text('0'))
    op.drop_table('case_search')
