"""SLA policies (versioned) and calendar closures."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

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
    # Target per escalation level, in the same unit: [province, national, oversight].
    escalation: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


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
