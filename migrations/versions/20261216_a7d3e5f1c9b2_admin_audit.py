"""admin audit log, single-use one-time codes, password set-up links

Revision ID: a7d3e5f1c9b2
Revises: afc9621fde7c
Create Date: 2026-12-10 09:00:00
"""

import sqlalchemy as sa
from alembic import op

import grievance.types

revision = "a7d3e5f1c9b2"
down_revision = "afc9621fde7c"
branch_labels = None
depends_on = None

ACTIONS = "'activate', 'create', 'deactivate', 'edit', 'reset_code', 'reset_password'"


def upgrade():
    op.create_table(
        "admin_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", grievance.types.UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_scope", sa.String(length=400), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("target_user_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changes", grievance.types.JSONType, nullable=False),
        sa.CheckConstraint(f"action IN ({ACTIONS})", name=op.f("ck_admin_audit_action")),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_admin_audit_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["target_user_id"], ["users.id"], name=op.f("fk_admin_audit_target_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_audit")),
    )
    op.create_index(op.f("ix_admin_audit_at"), "admin_audit", ["at"], unique=False)
    op.create_index("ix_admin_audit_target", "admin_audit", ["target_user_id", "at"], unique=False)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("setup_token_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("setup_expires_at", grievance.types.UTCDateTime(), nullable=True)
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_users_setup_token_hash"), ["setup_token_hash"]
        )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_setup_token_hash"), type_="unique")
        batch_op.drop_column("setup_expires_at")
        batch_op.drop_column("setup_token_hash")
        batch_op.drop_column("totp_last_step")
    op.drop_index("ix_admin_audit_target", table_name="admin_audit")
    op.drop_index(op.f("ix_admin_audit_at"), table_name="admin_audit")
    op.drop_table("admin_audit")
