"""SLA use cases on one case: changing its priority, re-deriving its deadlines."""

from __future__ import annotations

from datetime import datetime

from grievance.cases import events
from grievance.cases.models import Case
from grievance.domain import PRIORITIES
from grievance.errors import DomainError, Forbidden
from grievance.extensions import db
from grievance.sla import clocks, ledger
from grievance.sla.calendar import WorkingCalendar
from grievance.sla.models import SlaPolicy
from grievance.types import utcnow
from workflows import Actor, get_workflow

# Who may re-prioritise: the people who run queues, and an officer on a case they hold.
PRIORITY_ROLES = frozenset({"supervisor", "admin"})


def can_change_priority(case: Case, actor: Actor) -> bool:
    if actor.roles & PRIORITY_ROLES:
        return True
    return "officer" in actor.roles and actor.id is not None and actor.id == case.assignee_id


def change_priority(
    case: Case, priority: str, actor: Actor, reason: str, *, at: datetime | None = None
) -> None:
    """Give the case another priority: it runs under that priority's policy from now on,
    with the working time already used counted against the new targets."""
    at = at or utcnow()
    reason = (reason or "").strip()
    if priority not in PRIORITIES:
        raise DomainError("unknown_priority", priority)
    if not reason:
        raise DomainError("reason_required")
    if not can_change_priority(case, actor):
        raise Forbidden("not_allowed", "change_priority")
    if get_workflow(case.workflow).is_final(case.state):
        raise DomainError("case_closed", case.reference)
    if priority == case.priority:
        raise DomainError("same_priority", priority)
    old = case.priority
    case.priority = priority
    policy = clocks.policy_for(case)
    if policy is None:
        raise DomainError("no_sla_policy", f"{case.kind}/{priority}")
    case.sla_policy_id = policy.id
    recompute(case, at)
    events.record(
        case,
        "clock",
        actor_id=actor.id,
        actor_role=_role(actor),
        data={"action": "priority", "from": old, "to": priority, "reason": reason},
        at=at,
    )
    db.session.flush()


def recompute(case: Case, at: datetime, calendar: WorkingCalendar | None = None) -> bool:
    """Set the stored deadlines of the running or held clocks to what the timeline and the
    case's current policy and calendar give. Returns whether anything moved."""
    policy = db.session.get(SlaPolicy, case.sla_policy_id) if case.sla_policy_id else None
    if policy is None:
        return False
    cal = calendar or clocks.working_calendar()
    moved = False
    for name, run in ledger.runs(case).items():
        if run.status == "stopped":
            continue  # a stopped clock's deadline is history
        due, risk = ledger.deadlines(run, policy, cal, case.province_code)
        if name == "acknowledge" and (case.ack_due_at, case.ack_risk_at) != (due, risk):
            case.ack_due_at, case.ack_risk_at, moved = due, risk, True
        elif name == "resolve" and (case.resolve_due_at, case.resolve_risk_at) != (due, risk):
            case.resolve_due_at, case.resolve_risk_at, moved = due, risk, True
    if moved:
        case.deadline_version = (case.deadline_version or 0) + 1
        case.overdue = clocks.running_past_due(case, at)
    return moved


def _role(actor: Actor) -> str:
    order = ("system", "admin", "supervisor", "officer")
    return next((r for r in order if r in actor.roles), sorted(actor.roles)[0])
