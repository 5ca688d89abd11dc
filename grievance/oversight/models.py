"""Oversight tables: the working-day index, statistics snapshots and case exports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from grievance.domain import check_in
from grievance.extensions import db
from grievance.types import JSONType, UTCDateTime, utcnow


class WorkingDay(db.Model):  # type: ignore[name-defined]
    """One calendar day in one province, generated from the SLA working calendar.

    `worked_before` counts the province's working days strictly before `day`, so the working
    time between two moments is a difference of two lookups (see oversight/workdays.py).
    """

    __tablename__ = "working_days"

    province_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean)
    worked_before: Mapped[int] = mapped_column(Integer)


class StatsSnapshot(db.Model):  # type: ignore[name-defined]
    """Pre-computed figures (or other derived state), one row per name, replaced on refresh."""

    __tablename__ = "stats_snapshots"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    generated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    took_ms: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


EXPORT_STATES = ("queued", "running", "done", "failed")


class CaseExport(db.Model):  # type: ignore[name-defined]
    """An XLSX export written by a background job; downloadable only by its requester."""

    __tablename__ = "case_exports"
    __table_args__ = (CheckConstraint(check_in("status", EXPORT_STATES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    filters: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)  # generated
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
