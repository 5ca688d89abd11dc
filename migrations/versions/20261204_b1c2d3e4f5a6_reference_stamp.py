"""A stamp that changes with the rules tables, so processes can keep a snapshot of them.

Revision ID: b1c2d3e4f5a6
Revises: 9e8f7a6b5c4d
Create Date: 2026-12-04 15:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b1c2d3e4f5a6"
down_revision = "9e8f7a6b5c4d"
branch_labels = None
depends_on = None

TABLES = ("categories", "provinces", "queues", "sla_policies", "closures")
ACTIONS = ("INSERT", "UPDATE", "DELETE")
PG_FRESH = "md5(random()::text || clock_timestamp()::text)"
SQLITE_FRESH = "lower(hex(randomblob(16)))"


def upgrade():
    op.create_table(
        "reference_stamp",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stamp", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_stamp")),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    fresh = PG_FRESH if postgres else SQLITE_FRESH
    op.execute(f"INSERT INTO reference_stamp (id, stamp) VALUES (1, {fresh})")
    if postgres:
        op.execute(
            f"""
            CREATE FUNCTION reference_restamp() RETURNS trigger AS $$
            BEGIN
              UPDATE reference_stamp SET stamp = {PG_FRESH};
              RETURN NULL;
            END;
            $$ LANGUAGE plpgsql;
            """
        )
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_restamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION reference_restamp()"
            )
    else:
        for table in TABLES:
            for action in ACTIONS:
                op.execute(
                    f"CREATE TRIGGER {table}_restamp_{action.lower()} AFTER {action} ON {table} "
                    f"BEGIN UPDATE reference_stamp SET stamp = {SQLITE_FRESH}; END"
                )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_restamp ON {table}")
        op.execute("DROP FUNCTION IF EXISTS reference_restamp()")
    else:
        for table in TABLES:
            for action in ACTIONS:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_restamp_{action.lower()}")
    op.drop_table("reference_stamp")
