"""The hotline desk finds a caller's earlier cases by the phone number she calls from.

Scoped like every staff list (`policy.visible_clause`), and, as in the workspace search,
phones match only where the reader may see who filed (confidential and restricted cases:
their own officer only). Each case the lookup shows gets a line on its timeline: who looked
it up, and when (not the number: that is on the case already)."""

from __future__ import annotations

from sqlalchemy import and_, or_, select

from grievance.auth.models import User
from grievance.cases import events, policy, transitions
from grievance.cases.models import Case, Person
from grievance.errors import DomainError
from grievance.extensions import db
from grievance.phones import to_e164

LIMIT = 20


def callers_cases(user: User, phone_text: str) -> list[Case]:
    phone = to_e164(phone_text)
    if phone is None:
        raise DomainError("bad_phone")
    people = select(Person.id).where(Person.phone == phone)
    own_or_open = or_(Case.confidentiality == "normal", Case.assignee_id == user.id)
    found = list(
        db.session.scalars(
            select(Case)
            .where(
                Case.complainant_id.in_(people),
                and_(policy.visible_clause(user), own_or_open),
            )
            .order_by(Case.created_at.desc(), Case.id.desc())
            .limit(LIMIT)
        )
    )
    for case in found:
        events.record(
            case, "caller_lookup", actor_id=user.id, actor_role=transitions.actor_role(user)
        )
    db.session.flush()
    return found
