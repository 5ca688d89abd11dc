"""Inbound SMS records become inbound messages of any message channel.

Revision ID: e3f4a5b6c7d8
Revises: c7d8e9f0a1b2
Create Date: 2026-12-08 10:00:00

`inbound_sms` (unique MessageSid) becomes `inbound_messages`, unique by channel and the
channel's own message id, so a chat channel de-duplicates its deliveries in the same table.
Existing rows are kept, as channel "sms".
"""

import sqlalchemy as sa
from alembic import op

revision = "e3f4a5b6c7d8"
down_revision = "c7d8e9f0a1b2"
branch_labels = None
depends_on = None

CHANNELS = "channel IN ('api', 'forum', 'hotline', 'open311', 'sms', 'walk_in', 'web')"


def upgrade():
    op.rename_table("inbound_sms", "inbound_messages")
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.drop_constraint("uq_inbound_sms_message_sid", type_="unique")
        batch_op.drop_constraint("fk_inbound_sms_case_id_cases", type_="foreignkey")
        batch_op.alter_column("message_sid", new_column_name="external_id")
        batch_op.add_column(
            sa.Column("channel", sa.String(length=12), nullable=False, server_default="sms")
        )
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.alter_column("channel", server_default=None)
        batch_op.create_unique_constraint("channel_external_id", ["channel", "external_id"])
        batch_op.create_check_constraint(op.f("ck_inbound_messages_channel"), CHANNELS)
        batch_op.create_foreign_key(
            "fk_inbound_messages_case_id_cases", "cases", ["case_id"], ["id"]
        )
    _rename_postgresql_names("inbound_sms", "inbound_messages")


def downgrade():
    op.execute("DELETE FROM inbound_messages WHERE channel <> 'sms'")
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.drop_constraint("fk_inbound_messages_case_id_cases", type_="foreignkey")
        batch_op.drop_constraint(op.f("ck_inbound_messages_channel"), type_="check")
        batch_op.drop_constraint("channel_external_id", type_="unique")
        batch_op.drop_column("channel")
        batch_op.alter_column("external_id", new_column_name="message_sid")
    op.rename_table("inbound_messages", "inbound_sms")
    with op.batch_alter_table("inbound_sms", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_inbound_sms_message_sid", ["message_sid"])
        batch_op.create_foreign_key("fk_inbound_sms_case_id_cases", "cases", ["case_id"], ["id"])
    _rename_postgresql_names("inbound_messages", "inbound_sms")


def _rename_postgresql_names(old, new):
    # SQLite's batch mode rebuilds the table under the new names; PostgreSQL keeps the
    # primary key's and the id sequence's old names through a table rename.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {new} RENAME CONSTRAINT pk_{old} TO pk_{new}")
        op.execute(f"ALTER SEQUENCE {old}_id_seq RENAME TO {new}_id_seq")
