"""The outbox: one row per message to send, written in the transaction that causes it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from grievance.domain import LANGUAGES, check_in
from grievance.extensions import db
from grievance.types import JSONType, UTCDateTime, utcnow

CHANNELS = ("sms", "email", "in_app", "telegram")
STATUSES = ("pending", "queued", "sent", "delivered", "failed", "cancelled")


class Notification(db.Model):  # type: ignore[name-defined]
    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(check_in("channel", CHANNELS), name="channel"),
        CheckConstraint(check_in("status", STATUSES), name="status"),
        CheckConstraint(check_in("language", LANGUAGES), name="language"),
        Index("ix_notifications_status_next", "status", "next_attempt_at"),
        Index("ix_notifications_user_unread", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    channel: Mapped[str] = mapped_column(String(8))
    template: Mapped[str] = mapped_column(String(60))
    language: Mapped[str] = mapped_column(String(2), default="km")
    # Exactly one recipient kind: a staff user (in-app/email) or a person's phone/email.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    address: Mapped[str | None] = mapped_column(String(200))
    context: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # When the sweep should look at the row again: a retry's time (pending), or the time
    # after which a queued row counts as lost (Redis flushed) or its worker as dead.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set while a worker holds the row; a claim found set means an attempt died midway.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    provider_id: Mapped[str | None] = mapped_column(String(80), index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
