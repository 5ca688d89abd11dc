"""Intake use cases: a checked submission becomes a case, from any channel.

Input has been validated by the form (or the API/SMS parser) before it gets here; cases
are opened only through `grievance.cases.services.file_case`. Services flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from grievance import reference
from grievance.auth.models import User
from grievance.cases import events
from grievance.cases.models import Case, CaseEvent
from grievance.cases.services import Filed, NewCase, PersonData, file_case
from grievance.errors import DomainError, Forbidden, NotFound
from grievance.extensions import db
from grievance.intake import uploads
from grievance.intake.checks import confidentiality_for
from grievance.security import normalize_reference
from grievance.types import utcnow
from workflows import N_, get_workflow

CONSENT_METHODS = ("written", "verbal", "thumbprint")


@dataclass
class Submission:
    """One complaint as any channel hands it over, already checked."""

    description: str
    category_code: str
    province_code: str
    channel: str
    name: str | None = None
    phone: str | None = None  # E.164
    sex: str = "not_stated"
    language: str = "km"
    consent_to_contact: bool = False
    confidential: bool = False
    prefers_woman_officer: bool = False
    affected_count: int = 1
    concerned_name: str | None = None
    evidence: list[uploads.Evidence] = field(default_factory=list)

    def new_case(self, **extra: Any) -> NewCase:
        person = PersonData(
            name=self.name or None,
            phone=self.phone or None,
            sex=self.sex,
            language=self.language,
            consent_to_contact=self.consent_to_contact,
        )
        return NewCase(
            category_code=self.category_code,
            province_code=self.province_code,
            description=self.description,
            channel=self.channel,
            complainant=person,
            concerned_name=self.concerned_name or None,
            confidentiality=confidentiality_for(self.category_code, self.confidential),
            prefers_woman_officer=self.prefers_woman_officer,
            affected_count=max(1, self.affected_count),
            language=self.language,
            **extra,
        )


def _file(
    sub: Submission,
    *,
    actor_id: int | None,
    actor_role: str,
    at: datetime | None = None,
    **extra: Any,
) -> Filed:
    filed = file_case(sub.new_case(**extra), actor_id=actor_id, actor_role=actor_role, at=at)
    if sub.evidence:
        uploads.store(filed.case, sub.evidence)
    return filed


def file_public(sub: Submission, at: datetime | None = None) -> Filed:
    """A complaint from the public web form, with no account behind it."""
    return _file(sub, actor_id=None, actor_role="complainant", at=at)


def file_for_member(
    sub: Submission, rep: User, consent_how: str, at: datetime | None = None
) -> Filed:
    """A representative files for a member, who agreed: who recorded it, when and how."""
    if not rep.has_role("representative"):
        raise Forbidden("not_a_representative")
    if consent_how not in CONSENT_METHODS:
        raise DomainError("unknown_consent_method", consent_how)
    at = at or utcnow()
    consent = {"by": rep.id, "at": at.isoformat(), "how": consent_how}
    return _file(
        sub,
        actor_id=rep.id,
        actor_role="representative",
        at=at,
        organisation_id=rep.organisation_id,
        consent=consent,
    )


def file_by_staff(sub: Submission, officer: User, at: datetime | None = None) -> Filed:
    """Hotline and walk-in entry by an intake officer."""
    if sub.channel not in ("hotline", "walk_in"):
        raise DomainError("unknown_channel", sub.channel)
    return _file(sub, actor_id=officer.id, actor_role="intake", at=at)


def _filed_by_rep(rep: User) -> Any:
    mine = Case.filed_by_id == rep.id
    if rep.organisation_id is None:
        return mine
    return or_(mine, Case.organisation_id == rep.organisation_id)


def cases_filed_by(rep: User, limit: int = 200) -> list[Case]:
    """The cases a representative (or its organisation) filed, newest first."""
    query = select(Case).where(_filed_by_rep(rep)).order_by(Case.created_at.desc()).limit(limit)
    return list(db.session.scalars(query))


def case_for_representative(rep: User, reference: str) -> Case:
    ref = normalize_reference(reference)
    case = db.session.scalar(select(Case).where(Case.reference == ref)) if ref else None
    if case is None:
        raise NotFound("case_not_found")
    if not db.session.scalar(select(Case.id).where(Case.id == case.id, _filed_by_rep(rep))):
        raise NotFound("case_not_found")  # someone else's case: as if it did not exist
    return case


def public_timeline(case: Case) -> list[CaseEvent]:
    return [e for e in case.events if e.public]


def add_information(rep: User, case: Case, text: str) -> CaseEvent:
    """A representative adds information to a case it filed: a public comment."""
    case = case_for_representative(rep, case.reference)  # checked again: never trust the caller
    event = events.record(
        case,
        "comment",
        actor_id=rep.id,
        actor_role="representative",
        public=True,
        data={"text": text},
    )
    db.session.flush()
    return event


EVENT_LABELS = {
    "filed": N_("Complaint received"),
    "comment": N_("Information added"),
    "transition": N_("Status changed"),
}


def state_label(case: Case) -> str:
    """The msgid of the case's state in plain words (the workflow's public label)."""
    return get_workflow(case.workflow).state(case.state).label


def event_label(event: CaseEvent) -> str:
    if event.kind == "transition" and event.to_state:
        case_workflow = get_workflow(event.case.workflow)
        if case_workflow.has_state(event.to_state):
            return case_workflow.state(event.to_state).label
    return EVENT_LABELS.get(event.kind, N_("Update"))


def province_name(code: str, lang: str) -> str:
    province = reference.current().provinces.get(code)
    return province.name(lang) if province else code


def category_choices(lang: str) -> list[tuple[str, str]]:
    return reference.current().category_choices(lang)


def province_choices(lang: str) -> list[tuple[str, str]]:
    return reference.current().province_choices(lang)
