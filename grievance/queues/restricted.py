"""Break glass: a staff member who is neither assigned to a restricted case nor designated
for restricted cases may still open it, for a while, by giving a reason. The reason goes on
the case's timeline (which is also the grant, see `policy.has_grant`) and the supervisors
are told."""

from __future__ import annotations

from datetime import datetime

from grievance.auth.models import User
from grievance.cases import events, policy, transitions
from grievance.cases.models import Case, CaseEvent
from grievance.effects import Notice, emit
from grievance.errors import DomainError, NotFound
from grievance.extensions import db

MIN_REASON = 10
MAX_REASON = 1000


def break_glass(case: Case, user: User, reason: str, *, at: datetime | None = None) -> CaseEvent:
    if not policy.may_break_glass(user, case):
        # Either already allowed (nothing to record) or never allowed (no probing).
        raise NotFound("case")
    reason = reason.strip()
    if not MIN_REASON <= len(reason) <= MAX_REASON:
        raise DomainError("reason_length")
    event = events.record(
        case,
        "break_glass",
        actor_id=user.id,
        actor_role=transitions.actor_role(user),
        public=False,
        data={"reason": reason},
        at=at,
    )
    db.session.flush()
    emit(Notice(case.id, event.seq, "break_glass", "supervisor"))
    return event
