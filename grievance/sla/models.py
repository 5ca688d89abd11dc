"""SLA policies (versioned) and calendar closures."""

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
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from grievance.cases.models import Case
from grievance.domain import KINDS, PRIORITIES, check_in
from grievance.extensions import db
from grievance.types import JSONType, UTCDateTime, utcnow


class SlaPolicy(db.Model):  # type: ignore[name-defined]
    """Targets for one category (or a whole kind) and priority. Edits create a new version;
    cases keep the version they started under."""

    __tablename__ = "sla_policies"
    __table_args__ = (
        CheckConstraint(check_in("priority", PRIORITIES), name="priority"),
        CheckConstraint(check_in("kind", KINDS), name="kind"),
        CheckConstraint(check_in("unit", ("days", "hours")), name="unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), default="grievance")
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    priority: Mapped[str] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer, default=1)
    unit: Mapped[str] = mapped_column(String(5), default="days")
    acknowledge: Mapped[float] = mapped_column(Float)
    resolve: Mapped[float] = mapped_column(Float)
    # Target per escalation level, in the same unit: [province, national, oversight], for
    # escalation levels 1, 2 and 3 (LADDER below).
    escalation: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def level_target(self, level: int) -> float | None:
        """The resolve target once escalated to `level` (1 province office, 2 national
        unit, 3 oversight body): the ladder's own entry for it. None when not escalated
        or the policy has no ladder; a short ladder's last entry serves the levels above."""
        ladder = list(self.escalation or [])
        if level <= 0 or not ladder:
            return None
        return float(ladder[min(level, len(ladder)) - 1])


LADDER = ("province", "national", "oversight")  # escalation levels 1, 2, 3


class Closure(db.Model):  # type: ignore[name-defined]
    """Days an admin declares closed, nationwide (no provinces) or for some provinces."""

    __tablename__ = "closures"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="dates"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    provinces: Mapped[list[str]] = mapped_column(JSONType, default=list)
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


CLOCK_NAMES = ("acknowledge", "resolve")
MARK_KINDS = ("at_risk", "breach")


class SlaMark(db.Model):  # type: ignore[name-defined]
    """The sweep's idempotency ledger: one row per (case, clock, kind, level, deadline
    version). Inserting the mark claims the deadline (a second insert is a no-op, however
    many sweeps run); acting on it sets `handled_at`, under the case's row lock, so it
    happens once, inline in the sweep or in a job, and a lost job is found again."""

    __tablename__ = "sla_marks"
    __table_args__ = (
        UniqueConstraint(
            "case_id", "clock", "kind", "level", "deadline_version", name="sla_mark_once"
        ),
        CheckConstraint(check_in("clock", CLOCK_NAMES), name="clock"),
        CheckConstraint(check_in("kind", MARK_KINDS), name="kind"),
        # Marks still to act on: few at any time, found without reading the others.
        Index(
            "ix_sla_marks_unhandled",
            "created_at",
            postgresql_where=text("handled_at IS NULL"),
            sqlite_where=text("handled_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    clock: Mapped[str] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(8))
    level: Mapped[int] = mapped_column(Integer)
    deadline_version: Mapped[int] = mapped_column(Integer)
    # The moment that was reached (risk or due time), so catch-up can count from it.
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set in the transaction that acted on the mark (or found it no longer applied).
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# The sweep's candidates: open cases by risk time (risk <= due always holds, so breaches
# are found the same way). Partial indexes over the open slice (closed_at is set in every
# final state and cleared by an appeal). On the whole table a risk time in the past is
# the rule (every closed case has one), so PostgreSQL misjudges "risk <= now" as
# unselective; each index's own "risk IS NOT NULL" makes it the only one that fits its
# clock's query, which then reads just the open cases past risk, not all open cases.


def _open_by(column: Any, name: str) -> Index:
    open_with = text(f"closed_at IS NULL AND {column.key} IS NOT NULL")
    return Index(name, column, postgresql_where=open_with, sqlite_where=open_with)


SWEEP_INDEXES = (
    _open_by(Case.ack_risk_at, "ix_cases_sla_ack_open"),
    _open_by(Case.resolve_risk_at, "ix_cases_sla_resolve_open"),
)
