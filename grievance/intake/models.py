"""Public forums where workers raise concerns."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from grievance.domain import FORUM_LEVELS, check_in
from grievance.extensions import db
from grievance.types import UTCDateTime, utcnow


class Forum(db.Model):  # type: ignore[name-defined]
    __tablename__ = "forums"
    __table_args__ = (
        CheckConstraint(check_in("level", FORUM_LEVELS), name="level"),
        CheckConstraint("end_date >= start_date", name="dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300), unique=True)
    level: Mapped[str] = mapped_column(String(12))
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"))
    venue: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    organisers: Mapped[str] = mapped_column(String(300), default="")
    participants_female: Mapped[int | None] = mapped_column(Integer)
    participants_male: Mapped[int | None] = mapped_column(Integer)
    participants_total: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
