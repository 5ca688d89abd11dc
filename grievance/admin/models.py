"""The admin audit log: every administrator's action on a staff account."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grievance.auth.models import User
from grievance.domain import ADMIN_ACTIONS, check_in
from grievance.extensions import db
from grievance.types import JSONType, UTCDateTime, utcnow


class AdminAudit(db.Model):  # type: ignore[name-defined]
    """Who did what to which account, when, and from which scope ("national" or the
    provinces the administrator managed at the time)."""

    __tablename__ = "admin_audit"
    __table_args__ = (
        CheckConstraint(check_in("action", ADMIN_ACTIONS), name="action"),
        Index("ix_admin_audit_target", "target_user_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_scope: Mapped[str] = mapped_column(String(400))
    action: Mapped[str] = mapped_column(String(20))
    target_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    target: Mapped[User] = relationship(foreign_keys=[target_user_id])
