"""users.totp_secret holds a sealed (encrypted) seed, longer than the plain one

Revision ID: 5a7d3c2e9f10
Revises: 02c1c95a578a
Create Date: 2026-11-25 02:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "5a7d3c2e9f10"
down_revision = "02c1c95a578a"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.alter_column(
            "totp_secret", existing_type=sa.String(64), type_=sa.String(255), existing_nullable=True
        )


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.alter_column(
            "totp_secret", existing_type=sa.String(255), type_=sa.String(64), existing_nullable=True
        )
