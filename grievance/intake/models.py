"""Intake records: forums and their sheet imports, partner API clients, received messages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from grievance.domain import CHANNELS, FORUM_LEVELS, check_in
from grievance.extensions import db
from grievance.types import JSONType, UTCDateTime, utcnow


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
    # The Khmer texts; title, venue and organisers above are the English ones, and each
    # language falls back to the other when one was not given (see `text`).
    title_km: Mapped[str] = mapped_column(String(300), default="")
    venue_km: Mapped[str] = mapped_column(String(200), default="")
    organisers_km: Mapped[str] = mapped_column(String(300), default="")
    participants_female: Mapped[int | None] = mapped_column(Integer)
    participants_male: Mapped[int | None] = mapped_column(Integer)
    participants_total: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def text(self, field: str, lang: str) -> str:
        """Title, venue or organisers in the reader's language, else in the other."""
        english, khmer = getattr(self, field) or "", getattr(self, f"{field}_km") or ""
        return (khmer or english) if lang == "km" else (english or khmer)


IMPORT_STATES = ("checking", "preview", "queued", "running", "done", "failed")


class ForumImport(db.Model):  # type: ignore[name-defined]
    """A sheet of forum concerns: checked in a preview, then turned into cases by a job."""

    __tablename__ = "forum_imports"
    __table_args__ = (CheckConstraint(check_in("status", IMPORT_STATES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)  # generated, never typed
    original_name: Mapped[str] = mapped_column(String(200), default="")  # shown to staff only
    status: Mapped[str] = mapped_column(String(10), default="checking")
    total: Mapped[int] = mapped_column(Integer, default=0)  # good rows to import
    done: Mapped[int] = mapped_column(Integer, default=0)  # good rows already imported
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PartnerClient(db.Model):  # type: ignore[name-defined]
    """A partner system allowed to use the JSON API; only a hash of its token is kept."""

    __tablename__ = "partner_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PartnerCase(db.Model):  # type: ignore[name-defined]
    """Which partner filed a case: a partner sees only its own cases."""

    __tablename__ = "partner_cases"
    # Serves a partner's list: its cases, newest filed first, read in index order.
    __table_args__ = (Index("ix_partner_cases_partner_case", "partner_id", "case_id"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner_clients.id"))
    external_id: Mapped[str | None] = mapped_column(String(100))


class IdempotencyRecord(db.Model):  # type: ignore[name-defined]
    """The first answer to a partner's request key, so a retry gets the same answer."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("partner_id", "key", name="partner_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner_clients.id"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)  # None while being processed
    response: Mapped[dict[str, Any] | None] = mapped_column(JSONType)  # never holds a secret
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReceivedMessage(db.Model):  # type: ignore[name-defined]
    """One message received on a message channel, by the channel's own id for it (Twilio's
    MessageSid, a chat update id), so a repeated delivery acts once. The text is not kept
    here: it lives only in the case it opened."""

    __tablename__ = "inbound_messages"
    __table_args__ = (
        UniqueConstraint("channel", "external_id", name="channel_external_id"),
        CheckConstraint(check_in("channel", CHANNELS), name="channel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(12))
    external_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(12))  # case | status | stop | empty | blocked | ...
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MessageMenu(db.Model):  # type: ignore[name-defined]
    """A message we could not place by itself: the sender has open cases and the text
    named none, so we asked "1 = about case ..., 2 = a new complaint" and keep the text
    until the answer (at most MENU_HOURS). The sender is kept as an HMAC of the address."""

    __tablename__ = "message_menus"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(12))
    sender_key: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)
    case_ids: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ChatSession(db.Model):  # type: ignore[name-defined]
    """A chat with buttons (Telegram): the language the sender chose and, while she files
    step by step, what she has answered so far (category, province, attached files). A
    half-finished complaint resumes where it stopped until `expires_at`, then is dropped.
    The sender is kept as an HMAC of the address, like a message menu."""

    __tablename__ = "chat_sessions"
    __table_args__ = (UniqueConstraint("channel", "sender_key", name="channel_sender"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(12))
    sender_key: Mapped[str] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(2))  # chosen with a button
    # category | province | details (filing); decide | rating | appeal (our answer)
    step: Mapped[str | None] = mapped_column(String(12))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))  # the answer decided
    category: Mapped[str | None] = mapped_column(String(40))
    province: Mapped[str | None] = mapped_column(String(10))
    text: Mapped[str | None] = mapped_column(Text)  # what happened, when she wrote it first
    media: Mapped[list[Any]] = mapped_column(JSONType, default=list)  # the channel's file refs
    # She asked that our messages about this complaint say nothing of it (a shared phone).
    discreet: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
