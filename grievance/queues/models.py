"""Queues with routing rules, and their members."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    and_,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grievance.cases.models import Case
from grievance.domain import CONFIDENTIALITY, KINDS, check_in
from grievance.extensions import db

queue_members = Table(
    "queue_members",
    db.metadata,
    Column("queue_id", ForeignKey("queues.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Queue(db.Model):  # type: ignore[name-defined]
    """A work queue. Routing: a new case goes to the first active queue (by position) whose
    non-empty rule fields all match it."""

    __tablename__ = "queues"
    __table_args__ = (
        CheckConstraint(f"kind IS NULL OR {check_in('kind', KINDS)}", name="kind"),
        CheckConstraint(
            f"confidentiality IS NULL OR {check_in('confidentiality', CONFIDENTIALITY)}",
            name="confidentiality",
        ),
        CheckConstraint("level BETWEEN 0 AND 2", name="level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_km: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=100)
    # Escalation ladder level this queue serves: 0 province, 1 national unit, 2 oversight.
    level: Mapped[int] = mapped_column(Integer, default=0)
    province_code: Mapped[str | None] = mapped_column(ForeignKey("provinces.code"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    kind: Mapped[str | None] = mapped_column(String(24))
    confidentiality: Mapped[str | None] = mapped_column(String(14))
    restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    auto_assign: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    members: Mapped[list[object]] = relationship("User", secondary=queue_members)

    def name(self, lang: str) -> str:
        return self.name_km if lang == "km" else self.name_en


# The trigram indexes the workspace search used (ix_cases_description_trgm,
# ix_cases_concerned_name_trgm, ix_persons_name_trgm) were dropped by migration
# 20261207: the search reads the full-text index of grievance.search instead.

_cases = Case.__table__.c
_BACKLOG = and_(_cases.assignee_id.is_(None), _cases.closed_at.is_(None))
_CLAIMABLE = and_(_cases.assignee_id.is_(None), _cases.state == text("'acknowledged'"))
_OPEN = _cases.closed_at.is_(None)
# Partial indexes, each over a small slice of the table, shaped for one workspace query.
# The INCLUDE columns (PostgreSQL) let counts and sort keys come from the index alone.
WORKSPACE_INDEXES = (
    # A queue's backlog (open, no officer): the queue page in claim-next order, its counts.
    Index(
        "ix_cases_backlog_due",
        _cases.queue_id,
        _cases.resolve_due_at,
        _cases.id,
        postgresql_where=_BACKLOG,
        sqlite_where=_BACKLOG,
        postgresql_include=[
            "state",
            "acknowledged_at",
            "overdue",
            "paused_at",
            "confidentiality",
            "province_code",
        ],
    ),  # fmt: skip
    # The case that has waited longest in a queue.
    Index(
        "ix_cases_backlog_age",
        _cases.queue_id,
        _cases.created_at,
        _cases.id,
        postgresql_where=_BACKLOG,
        sqlite_where=_BACKLOG,
    ),
    # Claim-next: the claimable cases of a queue, most urgent first.
    Index(
        "ix_cases_claimable",
        _cases.queue_id,
        _cases.resolve_due_at,
        _cases.id,
        postgresql_where=_CLAIMABLE,
        sqlite_where=_CLAIMABLE,
    ),
    # "My cases": an officer's open cases in page order, with the filter columns.
    Index(
        "ix_cases_assignee_open",
        _cases.assignee_id,
        _cases.overdue.desc(),
        _cases.resolve_due_at,
        _cases.id,
        postgresql_where=_OPEN,
        sqlite_where=_OPEN,
        postgresql_include=[
            "state",
            "overdue",
            "paused_at",
            "category_id",
            "province_code",
            "priority",
        ],
    ),  # fmt: skip
    # Search by phone number: persons.phone is indexed, this joins it to the cases.
    Index("ix_cases_complainant_id", _cases.complainant_id),
    # "All cases I may see": every open case in page order, with the filter columns.
    Index(
        "ix_cases_open_urgency",
        _cases.overdue.desc(),
        _cases.resolve_due_at,
        _cases.id,
        postgresql_where=_OPEN,
        sqlite_where=_OPEN,
        postgresql_include=[
            "state",
            "assignee_id",
            "confidentiality",
            "paused_at",
            "category_id",
            "province_code",
            "priority",
        ],
    ),  # fmt: skip
    # Search by words: each case the index finds is held against the reader's scope from
    # this index alone, not from the case's wide row (grievance.search.query). PostgreSQL
    # only: SQLite keeps an empty index under the same name.
    Index(
        "ix_cases_search_scope",
        _cases.id,
        postgresql_include=["province_code", "confidentiality", "assignee_id"],
        sqlite_where=text("0"),
    ),
)
