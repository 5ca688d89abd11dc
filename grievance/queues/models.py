"""Queues with routing rules, and their members."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
