"""Case use cases: filing. Services flush, never commit; the caller's boundary commits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select

from grievance import reference
from grievance.cases import events
from grievance.cases.models import Case, Person
from grievance.effects import Notice, emit
from grievance.errors import DomainError
from grievance.extensions import db
from grievance.keys import server_key
from grievance.khmer import ascii_digits
from grievance.queues.routing import route
from grievance.search.documents import index_case
from grievance.security import hash_secret, new_reference, new_secret
from grievance.sla import clocks
from grievance.types import utcnow
from workflows import workflow_for_kind


@dataclass
class PersonData:
    name: str | None = None
    phone: str | None = None  # E.164, already validated
    sex: str = "not_stated"
    age_band: str = "not_stated"
    nssf_number: str | None = None
    worker_type: str = "other"
    language: str = "km"
    consent_to_contact: bool = False


@dataclass
class NewCase:
    category_code: str
    province_code: str
    description: str
    channel: str
    complainant: PersonData | None = None
    concerned_type: str = "other"
    concerned_name: str | None = None
    priority: str | None = None  # None: the category's default
    confidentiality: str = "normal"
    prefers_woman_officer: bool = False
    affected_count: int = 1
    language: str = "km"
    organisation_id: int | None = None
    forum_id: int | None = None
    consent: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # Given only by callers that must be able to repeat the first answer (API idempotency).
    secret: str | None = None


@dataclass
class Filed:
    case: Case
    secret: str  # shown once to the complainant, never stored in clear


_TAKEN = select(Case.__table__.c.id).where(Case.__table__.c.reference == bindparam("ref"))


def _unique_reference() -> str:
    for _ in range(10):
        ref = new_reference()
        if not db.session.scalar(_TAKEN, {"ref": ref}):
            return ref
    raise DomainError("reference_exhausted")  # 31**7 codes: practically unreachable


def file_case(
    data: NewCase,
    *,
    actor_id: int | None = None,
    actor_role: str = "complainant",
    at: datetime | None = None,
) -> Filed:
    """Open a case in its workflow's first state, with the filed event and its deadlines."""
    at = at or utcnow()
    rules = reference.current()
    category = rules.active_category(data.category_code)
    if category is None:
        raise DomainError("unknown_category", data.category_code)
    if data.province_code not in rules.provinces:
        raise DomainError("unknown_province", data.province_code)
    workflow = workflow_for_kind(category.kind)
    secret = data.secret or new_secret()
    case = Case(
        reference=_unique_reference(),
        secret_hash=hash_secret(secret, server_key()),
        kind=category.kind,
        workflow=workflow.name,
        state=workflow.initial,
        channel=data.channel,
        category_id=category.id,
        province_code=data.province_code,
        concerned_type=data.concerned_type,
        concerned_name=data.concerned_name,
        description=data.description,
        priority=data.priority or category.default_priority,
        confidentiality=data.confidentiality,
        prefers_woman_officer=data.prefers_woman_officer,
        affected_count=max(1, data.affected_count),
        language=data.language,
        organisation_id=data.organisation_id,
        forum_id=data.forum_id,
        consent=data.consent,
        filed_by_id=actor_id,
        created_at=at,
        updated_at=at,
    )
    if data.complainant is not None:
        person = Person(**vars(data.complainant), created_at=at)
        if person.nssf_number:  # an identifier: kept in Latin digits, however typed
            person.nssf_number = ascii_digits(person.nssf_number).strip()
        case.complainant = person
    # Route and set deadlines before the first flush: one INSERT carries it all.
    with db.session.no_autoflush:
        queue = route(case)
        case.queue_id = queue.id if queue else None
        clocks.start(case, at)
    db.session.add(case)
    # A new case has no chain to read: its first event is written in one plain INSERT.
    with events.known_tails(()):
        events.record(
            case,
            "filed",
            actor_id=actor_id,
            actor_role=actor_role,
            to_state=case.state,
            public=True,
            data={"channel": data.channel, "queue": queue.code if queue else None},
            at=at,
        )
    name = data.complainant.name if data.complainant else None
    index_case(case.id, case.description, case.concerned_name, name)
    # The secret travels to the outbox only to be sent once; notifications must not keep it.
    emit(Notice(case.id, case.event_count, "filed", "complainant", context={"secret": secret}))
    return Filed(case=case, secret=secret)
