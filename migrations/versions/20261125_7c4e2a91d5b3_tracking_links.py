"""tracking links: one-time links that open a case's public status page

Revision ID: 7c4e2a91d5b3
Revises: 02c1c95a578a
Create Date: 2026-11-25 14:00:00

"""
from alembic import op
import sqlalchemy as sa
import grievance.types

# revision identifiers, used by Alembic.
revision = '7c4e2a91d5b3'
down_revision = '02c1c95a578a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tracking_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', grievance.types.UTCDateTime(), nullable=False),
    sa.Column('expires_at', grievance.types.UTCDateTime(), nullable=False),
    sa.Column('used_at', grievance.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_tracking_links_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracking_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_tracking_links_token_hash'))
    )
    with op.batch_alter_table('tracking_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tracking_links_case_id'), ['case_id'], unique=False)


def downgrade():
    with op.batch_alter_table('tracking_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tracking_links_case_id'))

    op.drop_table('tracking_links')
