"""Steps that hide a case need a second person.

A staff withdrawal or a merge takes a case out of the work, so the person who wants it
asks, with a reason, and it takes effect only when a supervisor approves: someone other
than the asker, with the case's province in her supervisor scope, who may see the case.
`why_not` is that rule, and every path that decides calls it (`decide`); the workflow
engine refuses a held step taken without an approver (`transitions.apply`), so no path
can skip the asking either. The complainant is told by the step's own notice once it
takes effect; the asker is told of the decision; the supervisors of the province are told
of the request.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from grievance.auth.models import User
from grievance.cases import events, policy, transitions
from grievance.cases.models import ApprovalRequest, Case, CaseEvent
from grievance.effects import Notice, emit
from grievance.errors import Conflict, DomainError, Forbidden, NotFound
from grievance.extensions import db
from grievance.types import utcnow
from workflows import get_workflow

APPROVER_ROLE = "supervisor"
LIMIT = 50
# Why someone may not decide a request, most fundamental first (the first that applies wins).
REASONS = (
    "request_decided",
    "approver_is_asker",
    "approver_not_supervisor",
    "approver_out_of_scope",
)


class MayNotDecide(Forbidden):
    """`code` is one of REASONS; `detail` is the case reference."""


def held(case: Case, name: str) -> bool:
    """Whether step `name` of the case's workflow waits for a second person."""
    workflow = get_workflow(case.workflow)
    return workflow.has_transition(name) and workflow.transition(name).second_person is not None


def pending(case: Case) -> ApprovalRequest | None:
    return db.session.scalar(
        select(ApprovalRequest).where(
            ApprovalRequest.case_id == case.id, ApprovalRequest.status == "pending"
        )
    )


def why_not(user: User, request: ApprovalRequest) -> str | None:
    """None if `user` may approve or refuse `request`, else the reason (one of REASONS)."""
    case = request.case
    if request.status != "pending" or case.closed_at is not None:
        return "request_decided"
    if user.id == request.asked_by_id:
        return "approver_is_asker"
    if not user.active or not user.has_role(APPROVER_ROLE):
        return "approver_not_supervisor"
    scopes = user.provinces_for(APPROVER_ROLE)
    if None not in scopes and case.province_code not in scopes:
        return "approver_out_of_scope"
    if not policy.can_view(user, case):
        return "approver_out_of_scope"
    return None


def ask(
    case: Case,
    asker: User,
    name: str,
    inputs: Mapping[str, object],
    *,
    expected_version: int | None = None,
    seen_events: int | None = None,
    at: datetime | None = None,
) -> ApprovalRequest:
    """Record `asker`'s request for held step `name` and tell the province's supervisors.
    The case does not change until a supervisor approves. Flushes."""
    at = at or utcnow()
    if pending(case) is not None:
        raise Conflict("request_pending", case.reference)
    checked = transitions.check_request(
        case,
        name,
        transitions.actor_for(asker),
        inputs,
        expected_version=expected_version,
        seen_events=seen_events,
        at=at,
    )
    request = ApprovalRequest(
        case_id=case.id, transition=name, inputs=checked, asked_by_id=asker.id, asked_at=at
    )
    try:
        with db.session.begin_nested():  # two colleagues asking at once: one request
            db.session.add(request)
            db.session.flush()
    except IntegrityError:
        raise Conflict("request_pending", case.reference) from None
    event = events.record(
        case,
        "approval_requested",
        actor_id=asker.id,
        actor_role=transitions.actor_role(asker),
        data={"transition": name, **checked},
        at=at,
    )
    db.session.flush()
    context = {"transition": name}
    emit(Notice(case.id, event.seq, "approval_requested", "supervisor", context=context))
    return request


def find(case: Case, request_id: int) -> ApprovalRequest:
    request = db.session.get(ApprovalRequest, request_id)
    if request is None or request.case_id != case.id:
        raise NotFound("request_not_found")
    return request


def decide(
    request: ApprovalRequest,
    approver: User,
    *,
    approve: bool,
    reason: str = "",
    at: datetime | None = None,
) -> CaseEvent:
    """Approve (the step takes effect, planned again from the case as it is now) or refuse
    (with a reason, for the asker) `request`. Flushes; raises MayNotDecide, DomainError or
    the workflow's errors."""
    at = at or utcnow()
    why = why_not(approver, request)
    if why is not None:
        raise MayNotDecide(why, request.case.reference)
    reason = " ".join(reason.split())
    case = request.case
    if approve:
        asker = db.session.get(User, request.asked_by_id)
        assert asker is not None  # a foreign key
        event = transitions.apply(
            case,
            request.transition,
            transitions.actor_for(asker),
            request.inputs,
            approver=transitions.actor_for(approver),
            at=at,
        )
    else:
        if not reason:
            raise DomainError("reason_required")
        event = events.record(
            case,
            "approval_refused",
            actor_id=approver.id,
            actor_role=transitions.actor_role(approver),
            data={"transition": request.transition, "reason": reason},
            at=at,
        )
    request.status = "approved" if approve else "refused"
    request.decided_by_id, request.decided_at = approver.id, at
    request.decision_reason = reason or None
    db.session.flush()
    template = "approval_given" if approve else "approval_refused"
    context = {"transition": request.transition}
    emit(Notice(case.id, event.seq, template, "user", user_id=request.asked_by_id, context=context))
    return event


def waiting_for(supervisor: User) -> list[ApprovalRequest]:
    """Requests she may decide: open cases of her supervisor scope she may see, asked by
    someone else, oldest first."""
    if not supervisor.has_role(APPROVER_ROLE):
        return []
    query = (
        select(ApprovalRequest)
        .join(Case, Case.id == ApprovalRequest.case_id)
        .where(
            ApprovalRequest.status == "pending",
            ApprovalRequest.asked_by_id != supervisor.id,
            Case.closed_at.is_(None),
            policy.visible_clause(supervisor),
        )
        .options(selectinload(ApprovalRequest.case), selectinload(ApprovalRequest.asked_by))
        .order_by(ApprovalRequest.asked_at, ApprovalRequest.id)
        .limit(LIMIT)
    )
    scopes = supervisor.provinces_for(APPROVER_ROLE)
    if None not in scopes:
        query = query.where(Case.province_code.in_(sorted(p for p in scopes if p)))
    return list(db.session.scalars(query))
