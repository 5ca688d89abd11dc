"""Intake use cases around filed cases: the codes by SMS, and the labels intake pages
show. Filing itself is `grievance.intake.pipeline.file`; what representatives do is
`representation.py`. Services flush, never commit."""

from __future__ import annotations

from grievance import reference
from grievance.cases import events
from grievance.cases.models import Case, CaseEvent, Person
from grievance.effects import Notice, emit
from grievance.extensions import db
from workflows import get_workflow


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


def province_name(code: str, lang: str) -> str:
    province = reference.current().provinces.get(code)
    return province.name(lang) if province else code


def category_choices(lang: str) -> list[tuple[str, str]]:
    return reference.current().category_choices(lang)


def province_choices(lang: str) -> list[tuple[str, str]]:
    return reference.current().province_choices(lang)
