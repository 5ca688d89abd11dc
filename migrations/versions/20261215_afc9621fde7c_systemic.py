"""systemic issues: registries of employers and facilities, the entry each case concerns,
clusters of complaints (systemic cases), spike alerts

Revision ID: afc9621fde7c
Revises: b8c9d0e1f2a3
Create Date: 2026-12-10 09:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import grievance.types

revision = "afc9621fde7c"
down_revision = "b8c9d0e1f2a3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "spike_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series", sa.String(length=20), nullable=False),
        sa.Column("series_key", sa.String(length=80), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("baseline", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("created_at", grievance.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "series IN ('category_employer', 'category_province', 'channel')",
            name=op.f("ck_spike_alerts_series"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spike_alerts")),
        sa.UniqueConstraint("series", "series_key", "week", name="series_week"),
    )
    op.create_table(
        "registry_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_km", sa.String(length=200), nullable=True),
        sa.Column("name_latin", sa.String(length=200), nullable=True),
        sa.Column(
            "aliases",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("province_code", sa.String(length=8), nullable=True),
        sa.Column("district", sa.String(length=100), nullable=True),
        sa.Column("sector", sa.String(length=100), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("contract_status", sa.String(length=12), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", grievance.types.UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "contract_status IS NULL OR contract_status IN ('contracted', 'ended', 'suspended')",
            name=op.f("ck_registry_entries_contract_status"),
        ),
        sa.CheckConstraint(
            "kind IN ('employer', 'health_facility')", name=op.f("ck_registry_entries_kind")
        ),
        sa.ForeignKeyConstraint(
            ["province_code"],
            ["provinces.code"],
            name=op.f("fk_registry_entries_province_code_provinces"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_registry_entries_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_entries")),
        sa.UniqueConstraint("kind", "code", name="kind_code"),
    )
    with op.batch_alter_table("registry_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_registry_entries_kind_updated", ["kind", "updated_at"], unique=False
        )

    op.create_table(
        "case_entities",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", grievance.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_entities_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"], ["users.id"], name=op.f("fk_case_entities_confirmed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["registry_entries.id"],
            name=op.f("fk_case_entities_entry_id_registry_entries"),
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_entities")),
    )
    with op.batch_alter_table("case_entities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_entities_entry_id"), ["entry_id"], unique=False)

    op.create_table(
        "registry_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column(
            "changes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", grievance.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_registry_changes_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["registry_entries.id"],
            name=op.f("fk_registry_changes_entry_id_registry_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_changes")),
    )
    with op.batch_alter_table("registry_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_registry_changes_entry_id"), ["entry_id"], unique=False
        )

    op.create_table(
        "registry_names",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["registry_entries.id"],
            name=op.f("fk_registry_names_entry_id_registry_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_names")),
    )
    with op.batch_alter_table("registry_names", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registry_names_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index("ix_registry_names_key", ["key"], unique=False)

    op.create_table(
        "systemic_clusters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("parent_case_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", grievance.types.UTCDateTime(), nullable=False),
        sa.Column("decided_at", grievance.types.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "state IN ('closed', 'dismissed', 'opened', 'proposed')",
            name=op.f("ck_systemic_clusters_state"),
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_systemic_clusters_category_id_categories"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_systemic_clusters_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["registry_entries.id"],
            name=op.f("fk_systemic_clusters_entry_id_registry_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_case_id"], ["cases.id"], name=op.f("fk_systemic_clusters_parent_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_systemic_clusters")),
        sa.UniqueConstraint("parent_case_id", name=op.f("uq_systemic_clusters_parent_case_id")),
    )
    with op.batch_alter_table("systemic_clusters", schema=None) as batch_op:
        batch_op.create_index(
            "ix_systemic_clusters_entry_category", ["entry_id", "category_id"], unique=False
        )

    op.create_table(
        "cluster_cases",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("linked_at", grievance.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_cluster_cases_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["systemic_clusters.id"],
            name=op.f("fk_cluster_cases_cluster_id_systemic_clusters"),
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_cluster_cases")),
    )
    with op.batch_alter_table("cluster_cases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cluster_cases_cluster_id"), ["cluster_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("cluster_cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cluster_cases_cluster_id"))

    op.drop_table("cluster_cases")
    with op.batch_alter_table("systemic_clusters", schema=None) as batch_op:
        batch_op.drop_index("ix_systemic_clusters_entry_category")

    op.drop_table("systemic_clusters")
    with op.batch_alter_table("registry_names", schema=None) as batch_op:
        batch_op.drop_index("ix_registry_names_key")
        batch_op.drop_index(batch_op.f("ix_registry_names_entry_id"))

    op.drop_table("registry_names")
    with op.batch_alter_table("registry_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registry_changes_entry_id"))

    op.drop_table("registry_changes")
    with op.batch_alter_table("case_entities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_entities_entry_id"))

    op.drop_table("case_entities")
    with op.batch_alter_table("registry_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_registry_entries_kind_updated")

    op.drop_table("registry_entries")
    op.drop_table("spike_alerts")
