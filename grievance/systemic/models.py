"""Registries of employers and health facilities, the cases matched to them, clusters of
complaints about one of them (systemic cases) and weekly spike alerts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grievance.domain import check_in
from grievance.extensions import db
from grievance.types import JSONType, UTCDateTime, utcnow
from workflows.i18n import N_

ENTITY_KINDS = {"employer": N_("Employer"), "health_facility": N_("Health facility")}
CONTRACT_STATUSES = {
    "contracted": N_("Contracted by NSSF"),
    "suspended": N_("Contract suspended"),
    "ended": N_("Contract ended"),
}
CLUSTER_STATES = {
    "proposed": N_("Proposed"),
    "opened": N_("Systemic case opened"),
    "dismissed": N_("Dismissed"),
    "closed": N_("Closed"),
}
IMPORT_STATES = ("checking", "preview", "queued", "running", "done", "failed")
SERIES = {
    "category_province": N_("Category and province"),
    "category_employer": N_("Category and employer"),
    "channel": N_("Channel"),
}


class RegistryEntry(db.Model):  # type: ignore[name-defined]
    """An employer (NSSF employer id) or a contracted health facility (facility code)."""

    __tablename__ = "registry_entries"
    __table_args__ = (
        CheckConstraint(check_in("kind", ENTITY_KINDS), name="kind"),
        CheckConstraint(
            "contract_status IS NULL OR " + check_in("contract_status", CONTRACT_STATUSES),
            name="contract_status",
        ),
        UniqueConstraint("kind", "code", name="kind_code"),
        Index("ix_registry_entries_kind_updated", "kind", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(40))
    name_km: Mapped[str | None] = mapped_column(String(200))
    name_latin: Mapped[str | None] = mapped_column(String(200))
    aliases: Mapped[list[str]] = mapped_column(JSONType, default=list)
    province_code: Mapped[str | None] = mapped_column(ForeignKey("provinces.code"))
    district: Mapped[str | None] = mapped_column(String(100))
    sector: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(Integer)
    contract_status: Mapped[str | None] = mapped_column(String(12))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    def name(self, lang: str) -> str:
        first = (self.name_km, self.name_latin) if lang == "km" else (self.name_latin, self.name_km)
        return first[0] or first[1] or self.code

    def names(self) -> list[str]:
        return [n for n in (self.name_km, self.name_latin, *(self.aliases or [])) if n]


class RegistryName(db.Model):  # type: ignore[name-defined]
    """Each name and alias of an entry under its matching key (one indexed lookup)."""

    __tablename__ = "registry_names"
    __table_args__ = (Index("ix_registry_names_key", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("registry_entries.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(200))


class RegistryChange(db.Model):  # type: ignore[name-defined]
    """Who changed what in an entry, and how (an import or an administrator's edit)."""

    __tablename__ = "registry_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("registry_entries.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    source: Mapped[str] = mapped_column(String(10))  # import | admin
    changes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # field: [old, new]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RegistryImport(db.Model):  # type: ignore[name-defined]
    """A registry sheet an administrator uploaded: kept privately under a generated name,
    checked by a job (the preview: its row errors and what it would change), then, once
    confirmed, applied by another job; each entry it changes is versioned as any change."""

    __tablename__ = "registry_imports"
    __table_args__ = (
        CheckConstraint(check_in("kind", ENTITY_KINDS), name="kind"),
        CheckConstraint(check_in("status", IMPORT_STATES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)  # generated, never typed
    original_name: Mapped[str] = mapped_column(String(200), default="")  # shown to admins only
    status: Mapped[str] = mapped_column(String(10), default="checking")
    total: Mapped[int] = mapped_column(Integer, default=0)  # good rows
    done: Mapped[int] = mapped_column(Integer, default=0)  # good rows already applied
    changed: Mapped[int] = mapped_column(Integer, default=0)  # entries created or changed
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    # What the good rows would do, counted when checked: {"new": n, "changed": n, "same": n}
    # and the first rows as they would be saved.
    preview: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CaseEntity(db.Model):  # type: ignore[name-defined]
    """The registry entry a case concerns: suggested by matching at filing, confirmed or
    corrected by an officer. Kept beside the case so that matching never touches the
    case's own row (nor its optimistic version)."""

    __tablename__ = "case_entities"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("registry_entries.id"), index=True)
    score: Mapped[int] = mapped_column(Integer)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    entry: Mapped[RegistryEntry] = relationship(lazy="joined")


class Cluster(db.Model):  # type: ignore[name-defined]
    """K or more complaints about one employer or facility and category: a proposed
    systemic case, then (opened by a supervisor) a parent case with its own officer."""

    __tablename__ = "systemic_clusters"
    __table_args__ = (
        CheckConstraint(check_in("state", CLUSTER_STATES), name="state"),
        Index("ix_systemic_clusters_entry_category", "entry_id", "category_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("registry_entries.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    state: Mapped[str] = mapped_column(String(12), default="proposed")
    parent_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), unique=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    entry: Mapped[RegistryEntry] = relationship(lazy="joined")
    category: Mapped[Any] = relationship("Category", lazy="joined")
    parent: Mapped[Any] = relationship("Case", foreign_keys=[parent_case_id])


class ClusterCase(db.Model):  # type: ignore[name-defined]
    """A complaint linked to a cluster (a complaint is in one cluster at most)."""

    __tablename__ = "cluster_cases"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("systemic_clusters.id"), index=True)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SpikeAlert(db.Model):  # type: ignore[name-defined]
    """A week whose count of cases in one series rose above its baseline's 99 % bound."""

    __tablename__ = "spike_alerts"
    __table_args__ = (
        CheckConstraint(check_in("series", SERIES), name="series"),
        UniqueConstraint("series", "series_key", "week", name="series_week"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series: Mapped[str] = mapped_column(String(20))
    series_key: Mapped[str] = mapped_column(String(80))  # e.g. "contributions|KH-12"
    week: Mapped[date] = mapped_column(Date)  # the Monday (Phnom Penh) the week starts
    count: Mapped[int] = mapped_column(Integer)
    baseline: Mapped[float] = mapped_column(Float)
    threshold: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
