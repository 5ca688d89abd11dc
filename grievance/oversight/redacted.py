"""Redacted case views for oversight: what happened and when, never who.

Shown: reference, kind, category, province, channel, priority, state, dates, deadlines,
overdue flag, escalation level, rating, the complainant's sex and the number of workers
affected, and the timeline as event kinds and state changes with their times.
Never shown: names, phone numbers, NSSF numbers, the narrative and the resolution text
(free text can carry names), comments, employer or facility names, officers' identities.
Restricted cases are never listed or opened here (oversight sees them only as counts);
asking for one answers "not found", as for a reference that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select

from grievance.cases.models import Case, CaseEvent, Category, Person, Province
from grievance.cases.presenters import EVENT_KINDS
from grievance.errors import NotFound
from grievance.extensions import db
from grievance.oversight.exports import Filters, _local_midnight
from grievance.security import normalize_reference
from workflows.i18n import N_

PER_PAGE = 50
STEP_LABELS = {
    "filed": N_("Complaint received"),
    "comment": N_("Information added"),
    "transition": N_("Status changed"),
    "assignment": N_("Officer changed"),
    **EVENT_KINDS,
}


def step_label(kind: str) -> str:
    return STEP_LABELS.get(kind, N_("Update"))


@dataclass(frozen=True)
class Summary:
    reference: str
    kind: str
    workflow: str
    category_code: str
    province_code: str
    channel: str
    priority: str
    state: str
    confidentiality: str
    created_at: datetime
    acknowledged_at: datetime | None
    resolution_proposed_at: datetime | None
    closed_at: datetime | None
    ack_due_at: datetime | None
    resolve_due_at: datetime | None
    overdue: bool
    escalation_level: int
    satisfaction: int | None
    sex: str
    affected_count: int


@dataclass(frozen=True)
class Step:
    kind: str
    from_state: str | None
    to_state: str | None
    at: datetime


_FIELDS = (
    Case.reference,
    Case.kind,
    Case.workflow,
    Category.code,
    Case.province_code,
    Case.channel,
    Case.priority,
    Case.state,
    Case.confidentiality,
    Case.created_at,
    Case.acknowledged_at,
    Case.resolution_proposed_at,
    Case.closed_at,
    Case.ack_due_at,
    Case.resolve_due_at,
    Case.overdue,
    Case.escalation_level,
    Case.satisfaction,
    func.coalesce(Person.sex, "not_stated"),
    Case.affected_count,
)


def _base() -> Select[tuple[object, ...]]:
    return (
        select(*_FIELDS)
        .join(Category, Category.id == Case.category_id)
        .outerjoin(Person, Person.id == Case.complainant_id)
        .where(Case.confidentiality != "restricted")
    )


def _filtered(filters: Filters, state: str | None) -> Select[tuple[object, ...]]:
    query = _base()
    if filters.within is not None:
        query = query.where(Case.province_code.in_(filters.within))
    if filters.province:
        query = query.where(Case.province_code == filters.province)
    if filters.category:
        query = query.where(Category.code == filters.category)
    if filters.start:
        query = query.where(Case.created_at >= _local_midnight(filters.start))
    if filters.end:
        from datetime import timedelta

        query = query.where(Case.created_at < _local_midnight(filters.end + timedelta(days=1)))
    if state == "overdue":
        query = query.where(Case.overdue.is_(True), Case.closed_at.is_(None))
    elif state:
        query = query.where(Case.state == state)
    return query


def list_cases(filters: Filters, state: str | None, page: int) -> tuple[list[Summary], bool]:
    """One page of redacted cases, newest first, and whether there is a next page."""
    query = _filtered(filters, state).order_by(Case.id.desc())
    query = query.offset((max(page, 1) - 1) * PER_PAGE).limit(PER_PAGE + 1)
    found = [Summary(*row) for row in db.session.execute(query)]
    return found[:PER_PAGE], len(found) > PER_PAGE


def get_case(reference: str, within: tuple[str, ...] | None) -> tuple[Summary, list[Step]]:
    """One redacted case, if it lies in the viewer's provinces (`within`, None: all)."""
    ref = normalize_reference(reference)
    query = _base().where(Case.reference == ref)
    if within is not None:
        query = query.where(Case.province_code.in_(within))
    row = db.session.execute(query).first() if ref else None
    if row is None:
        raise NotFound("case_not_found")
    case_id = db.session.scalar(select(Case.id).where(Case.reference == ref))
    steps = db.session.execute(
        select(CaseEvent.kind, CaseEvent.from_state, CaseEvent.to_state, CaseEvent.created_at)
        .where(CaseEvent.case_id == case_id)
        .order_by(CaseEvent.seq)
    )
    return Summary(*row), [Step(*s) for s in steps]


@dataclass(frozen=True)
class Names:
    category: dict[str, str]
    province: dict[str, str]


def names(lang: str) -> Names:
    return Names(
        {c.code: c.name(lang) for c in db.session.scalars(select(Category))},
        {p.code: p.name(lang) for p in db.session.scalars(select(Province))},
    )
