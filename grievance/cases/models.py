"""Cases, the people in them, their evidence and their append-only timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grievance.domain import (
    AGE_BANDS,
    CHANNELS,
    CONCERNED_TYPES,
    CONFIDENTIALITY,
    KINDS,
    LANGUAGES,
    PRIORITIES,
    SEXES,
    WORKER_TYPES,
    check_in,
)
from grievance.extensions import db
from grievance.types import JSONType, UTCDateTime, utcnow
from workflows import ALL_STATES


class Province(db.Model):  # type: ignore[name-defined]
    __tablename__ = "provinces"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)  # ISO 3166-2:KH
    name_en: Mapped[str] = mapped_column(String(100))
    name_km: Mapped[str] = mapped_column(String(100))

    def name(self, lang: str) -> str:
        return self.name_km if lang == "km" else self.name_en


class Category(db.Model):  # type: ignore[name-defined]
    __tablename__ = "categories"
    __table_args__ = (
        CheckConstraint(check_in("kind", KINDS), name="kind"),
        CheckConstraint(check_in("default_priority", PRIORITIES), name="default_priority"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_km: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(24))
    default_priority: Mapped[str] = mapped_column(String(10))
    notes: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def name(self, lang: str) -> str:
        return self.name_km if lang == "km" else self.name_en


class Person(db.Model):  # type: ignore[name-defined]
    __tablename__ = "persons"
    __table_args__ = (
        CheckConstraint(check_in("sex", SEXES), name="sex"),
        CheckConstraint(check_in("age_band", AGE_BANDS), name="age_band"),
        CheckConstraint(check_in("worker_type", WORKER_TYPES), name="worker_type"),
        CheckConstraint(check_in("language", LANGUAGES), name="language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)  # E.164
    sex: Mapped[str] = mapped_column(String(12), default="not_stated")
    age_band: Mapped[str] = mapped_column(String(12), default="not_stated")
    nssf_number: Mapped[str | None] = mapped_column(String(40))
    worker_type: Mapped[str] = mapped_column(String(20), default="other")
    language: Mapped[str] = mapped_column(String(2), default="km")
    consent_to_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    # One person, several doors: the chat (a Telegram chat id) that shared this phone
    # number with the app's own contact button, and the channel she last wrote on (our
    # messages go back on it: the chat, else SMS). See grievance.cases.people.
    chat_channel: Mapped[str | None] = mapped_column(String(12))
    chat_address: Mapped[str | None] = mapped_column(String(64), index=True)
    last_channel: Mapped[str | None] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ContactOptOut(db.Model):  # type: ignore[name-defined]
    """An address that asked for no more messages on a channel (an SMS STOP), whether or
    not it ever filed a case: every message to it first asks here (one key lookup), and
    opting back in removes the row. A shared phone's STOP holds for everyone using it."""

    __tablename__ = "contact_opt_outs"

    channel: Mapped[str] = mapped_column(String(12), primary_key=True)
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


affected_workers = Table(
    "affected_workers",
    db.metadata,
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True),
)


# States where the next move is the complainant's (or her representative's, for a member).
WAITING_FOR_COMPLAINANT = ("awaiting_complainant", "resolution_proposed", "answered")
_WAITING_SQL = "state IN ({})".format(", ".join(f"'{s}'" for s in WAITING_FOR_COMPLAINANT))


class Case(db.Model):  # type: ignore[name-defined]
    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(check_in("state", ALL_STATES), name="state"),
        CheckConstraint(check_in("kind", KINDS), name="kind"),
        CheckConstraint(check_in("channel", CHANNELS), name="channel"),
        CheckConstraint(check_in("priority", PRIORITIES), name="priority"),
        CheckConstraint(check_in("confidentiality", CONFIDENTIALITY), name="confidentiality"),
        CheckConstraint(check_in("concerned_type", CONCERNED_TYPES), name="concerned_type"),
        CheckConstraint("affected_count >= 1", name="affected_count"),
        CheckConstraint(
            "satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5", name="satisfaction"
        ),
        Index("ix_cases_state_queue_due", "state", "queue_id", "resolve_due_at"),
        Index("ix_cases_assignee_state", "assignee_id", "state"),
        Index("ix_cases_created_at", "created_at"),
        Index("ix_cases_ack_due", "ack_due_at"),
        Index("ix_cases_resolve_due", "resolve_due_at"),
        # Collective complaints (more than one worker), few among many: the figures'
        # affected workers read them without scanning every case.
        Index(
            "ix_cases_collective",
            "complainant_id",
            "affected_count",
            postgresql_where=text("affected_count > 1"),
            sqlite_where=text("affected_count > 1"),
        ),
        # A representative's list (grievance.intake.representation.organisation_cases):
        # the organisation's cases newest first, its cases waiting for the member first.
        *(
            Index(
                name,
                "organisation_id",
                "created_at",
                "id",
                postgresql_where=text(where),
                sqlite_where=text(where),
            )
            for name, where in (
                ("ix_cases_organisation_newest", "organisation_id IS NOT NULL"),
                (
                    "ix_cases_organisation_waiting",
                    f"organisation_id IS NOT NULL AND {_WAITING_SQL}",
                ),
            )
        ),
        Index(
            "ix_cases_filed_by_newest",
            "filed_by_id",
            "created_at",
            "id",
            postgresql_where=text("filed_by_id IS NOT NULL"),
            sqlite_where=text("filed_by_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(24))
    workflow: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(12))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"))
    concerned_type: Mapped[str] = mapped_column(String(20), default="other")
    concerned_name: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    confidentiality: Mapped[str] = mapped_column(String(14), default="normal")
    prefers_woman_officer: Mapped[bool] = mapped_column(Boolean, default=False)
    affected_count: Mapped[int] = mapped_column(Integer, default=1)
    language: Mapped[str] = mapped_column(String(2), default="km")

    complainant_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    consent: Mapped[dict[str, Any] | None] = mapped_column(JSONType)  # who, when, how
    forum_id: Mapped[int | None] = mapped_column(ForeignKey("forums.id"), index=True)
    queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    # SLA: deadlines are stored so the sweep is one indexed comparison.
    sla_policy_id: Mapped[int | None] = mapped_column(ForeignKey("sla_policies.id"))
    ack_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ack_risk_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolve_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolve_risk_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deadline_version: Mapped[int] = mapped_column(Integer, default=0)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)

    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution_proposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str | None] = mapped_column(Text)
    # What was done, in words fit to publish (no names): a forum concern's line in the
    # forum's public follow-up report.
    public_outcome: Mapped[str | None] = mapped_column(Text)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    referred_to: Mapped[str | None] = mapped_column(String(200))
    satisfaction: Mapped[int | None] = mapped_column(Integer)
    satisfaction_comment: Mapped[str | None] = mapped_column(Text)

    event_count: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    category: Mapped[Category] = relationship(lazy="joined")
    province: Mapped[Province] = relationship(lazy="joined")
    complainant: Mapped[Person | None] = relationship()
    affected: Mapped[list[Person]] = relationship(secondary=affected_workers)
    assignee: Mapped[Any] = relationship("User", foreign_keys=[assignee_id])
    filed_by: Mapped[Any] = relationship("User", foreign_keys=[filed_by_id])
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", order_by="CaseEvent.seq", viewonly=True
    )
    attachments: Mapped[list[Attachment]] = relationship(back_populates="case")

    @property
    def listen_first(self) -> bool:
        """Told only in a voice note: the rules accept an empty description only then."""
        return not self.description


class CaseView(Protocol):
    """What reading a case's state, deadlines and steps open needs of it: a `Case`, or the
    plain copy of these columns the status page reads (`grievance.tracking.services`)."""

    @property
    def id(self) -> int: ...
    @property
    def reference(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def workflow(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def category_id(self) -> int: ...
    @property
    def province_code(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def assignee_id(self) -> int | None: ...
    @property
    def resolved_by_id(self) -> int | None: ...
    @property
    def ack_due_at(self) -> datetime | None: ...
    @property
    def resolve_due_at(self) -> datetime | None: ...
    @property
    def paused_at(self) -> datetime | None: ...
    @property
    def acknowledged_at(self) -> datetime | None: ...
    @property
    def resolution_proposed_at(self) -> datetime | None: ...
    @property
    def satisfaction(self) -> int | None: ...
    @property
    def version(self) -> int: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def listen_first(self) -> bool: ...


class TimelineEvent(Protocol):
    """What reading a timeline needs of an event: a `CaseEvent`, or a plain row of these
    columns (the status page reads them without the ORM)."""

    @property
    def seq(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def actor_id(self) -> int | None: ...
    @property
    def actor_role(self) -> str: ...
    @property
    def from_state(self) -> str | None: ...
    @property
    def to_state(self) -> str | None: ...
    @property
    def public(self) -> bool: ...
    @property
    def data(self) -> dict[str, Any]: ...
    @property
    def created_at(self) -> datetime: ...


class CaseEvent(db.Model):  # type: ignore[name-defined]
    """One line of a case's timeline. Never updated or deleted; hash-chained per case."""

    __tablename__ = "case_events"
    __table_args__ = (
        UniqueConstraint("case_id", "seq", name="case_seq"),
        Index("ix_case_events_kind_created", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str | None] = mapped_column(String(32))
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    case: Mapped[Case] = relationship(back_populates="events")
    actor: Mapped[Any] = relationship("User")


class Attachment(db.Model):  # type: ignore[name-defined]
    """Evidence file; stored outside the web root under a generated name."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A voice note: how long it plays, the MP3 copy browsers can play (made by a job when
    # the original's format is one they cannot), and a machine transcript when one is made.
    seconds: Mapped[int | None] = mapped_column(Integer)
    playable_name: Mapped[str | None] = mapped_column(String(80), unique=True)
    transcript: Mapped[str | None] = mapped_column(Text)
    # Where the file came from, for staff only (never in a URL or on a public page): the
    # name it had on the sender's device (sanitised; None when it came without one), who
    # sent it (a role of `uploads.SENDER_ROLES`, and the account when staff or a
    # representative sent it), on which occasion ("filing", "answer", "information"),
    # through which channel, and with which timeline event. All None on files stored
    # before these were kept.
    original_name: Mapped[str | None] = mapped_column(String(120))
    sender_role: Mapped[str | None] = mapped_column(String(20))
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    occasion: Mapped[str | None] = mapped_column(String(20))
    channel: Mapped[str | None] = mapped_column(String(20))
    event_seq: Mapped[int | None] = mapped_column(Integer)  # the timeline event it came with

    case: Mapped[Case] = relationship(back_populates="attachments")

    @property
    def is_voice(self) -> bool:
        return self.content_type.startswith("audio/")


class ReplyTemplate(db.Model):  # type: ignore[name-defined]
    """A reply officers start from, in Khmer and English, kept by admins
    (`grievance.cases.replies`)."""

    __tablename__ = "reply_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    purpose: Mapped[str] = mapped_column(String(24))  # replies.PURPOSES
    body_km: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def body(self, language: str) -> str:
        return self.body_km if language == "km" else self.body_en


APPROVAL_STATUSES = ("pending", "approved", "refused", "lapsed")  # lapsed: the case closed
_PENDING = text("status = 'pending'")


class ApprovalRequest(db.Model):  # type: ignore[name-defined]
    """A step that hides a case (a staff withdrawal, a merge), asked for with a reason and
    waiting for a second person (`grievance.cases.approvals`). At most one waits per case."""

    __tablename__ = "approval_requests"
    __table_args__ = (
        CheckConstraint(check_in("status", APPROVAL_STATUSES), name="status"),
        Index(
            "uq_approval_requests_pending",
            "case_id",
            unique=True,
            postgresql_where=_PENDING,
            sqlite_where=_PENDING,
        ),
        Index("ix_approval_requests_status_asked", "status", "asked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    transition: Mapped[str] = mapped_column(String(40))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # reason, merged_into
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship()
    asked_by: Mapped[Any] = relationship("User", foreign_keys=[asked_by_id])
    decided_by: Mapped[Any] = relationship("User", foreign_keys=[decided_by_id])
