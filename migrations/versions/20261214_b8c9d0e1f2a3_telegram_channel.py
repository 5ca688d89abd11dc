"""telegram: a chat channel, one person with several doors, chats filed step by step

Revision ID: b8c9d0e1f2a3
Revises: c4a9e7b15d03
Create Date: 2026-12-11 09:00:00

`telegram` joins the channel vocabulary of cases, inbound messages and notifications. A
person can hold a chat beside her phone (`chat_channel`, `chat_address`) and remembers the
channel she last wrote on. `chat_sessions` keeps a chat's language and a complaint being
filed with buttons until it is finished or expires.
"""

import sqlalchemy as sa
from alembic import op

import grievance.types

revision = "b8c9d0e1f2a3"
down_revision = "c4a9e7b15d03"
branch_labels = None
depends_on = None

OLD = "channel IN ('api', 'forum', 'hotline', 'open311', 'sms', 'walk_in', 'web')"
NEW = "channel IN ('api', 'forum', 'hotline', 'open311', 'sms', 'telegram', 'walk_in', 'web')"
OLD_OUT = "channel IN ('email', 'in_app', 'sms')"
NEW_OUT = "channel IN ('email', 'in_app', 'sms', 'telegram')"


def _channels(table, sql):
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(op.f(f"ck_{table}_channel"), type_="check")
        batch_op.create_check_constraint(op.f(f"ck_{table}_channel"), sql)


def upgrade():
    _channels("cases", NEW)
    _channels("inbound_messages", NEW)
    _channels("notifications", NEW_OUT)
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chat_channel", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("chat_address", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("last_channel", sa.String(length=12), nullable=True))
        batch_op.create_index(batch_op.f("ix_persons_chat_address"), ["chat_address"])
    op.create_table(
        "chat_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=12), nullable=False),
        sa.Column("sender_key", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=True),
        sa.Column("step", sa.String(length=12), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=40), nullable=True),
        sa.Column("province", sa.String(length=10), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("media", grievance.types.JSONType, nullable=False),
        sa.Column("expires_at", grievance.types.UTCDateTime(), nullable=True),
        sa.Column("updated_at", grievance.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_chat_sessions_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_sessions")),
        sa.UniqueConstraint("channel", "sender_key", name="channel_sender"),
    )


def downgrade():
    op.drop_table("chat_sessions")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_persons_chat_address"))
        batch_op.drop_column("last_channel")
        batch_op.drop_column("chat_address")
        batch_op.drop_column("chat_channel")
    op.execute("DELETE FROM inbound_messages WHERE channel = 'telegram'")
    op.execute("DELETE FROM notifications WHERE channel = 'telegram'")
    _channels("notifications", OLD_OUT)
    _channels("inbound_messages", OLD)
    _channels("cases", OLD)
