"""Intake use cases around filed cases: what a representative filed and adds, and the
labels intake pages show. Filing itself is `grievance.intake.pipeline.file`.
Services flush, never commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from grievance import reference
from grievance.auth.models import User
from grievance.cases import events
from grievance.cases.models import Case, CaseEvent, Person
from grievance.effects import Notice, emit
from grievance.errors import NotFound
from grievance.extensions import db
from grievance.security import normalize_reference
from workflows import N_, get_workflow


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


def send_codes(case: Case, phone_e164: str, secret: str) -> CaseEvent:
    """She asks, on the success page, for her codes by SMS to this number: it becomes the
    complainant's number (she gave it for this), and the codes go even without consent to
    be contacted about the case (she asked for this message). The secret travels in the
    notice only, sealed in the outbox until sent."""
    person = case.complainant
    if person is None:
        person = Person(language=case.language)
        case.complainant = person
    person.phone = phone_e164
    event = events.record(case, "codes_sent", actor_id=None, actor_role="complainant")
    db.session.flush()
    emit(Notice(case.id, event.seq, "codes_by_sms", "complainant", context={"secret": secret}))
    return event


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
