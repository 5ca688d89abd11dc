"""Starting and moving a case's SLA deadlines. Called only from case services."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from grievance.cases.models import Case
from grievance.extensions import db
from grievance.sla.calendar import Closure as CalendarClosure
from grievance.sla.calendar import WorkingCalendar
from grievance.sla.models import Closure, SlaPolicy


def working_calendar() -> WorkingCalendar:
    closures = tuple(
        CalendarClosure(
            start=c.start_date,
            end=c.end_date,
            provinces=frozenset(c.provinces) if c.provinces else None,
            reason=c.reason,
        )
        for c in db.session.scalars(select(Closure))
    )
    return WorkingCalendar(closures=closures)


def policy_for(case: Case) -> SlaPolicy | None:
    """The category's own policy if there is one, else the kind's default, for the priority."""
    rows = db.session.scalars(
        select(SlaPolicy)
        .where(SlaPolicy.active.is_(True), SlaPolicy.kind == case.kind)
        .where(SlaPolicy.priority == case.priority)
        .where((SlaPolicy.category_id == case.category_id) | SlaPolicy.category_id.is_(None))
        .order_by(SlaPolicy.category_id.is_(None), SlaPolicy.version.desc())
    ).first()
    return rows


def _amount(policy: SlaPolicy, target: float) -> dict[str, float]:
    return {"days": target} if policy.unit == "days" else {"hours": target}


def start(case: Case, at: datetime, calendar: WorkingCalendar | None = None) -> None:
    """Set the acknowledge and resolve deadlines of a newly filed case."""
    policy = policy_for(case)
    if policy is None:
        return
    cal = calendar or working_calendar()
    case.sla_policy_id = policy.id
    case.ack_due_at, case.ack_risk_at = cal.due_and_risk(
        at, province=case.province_code, **_amount(policy, policy.acknowledge)
    )
    case.resolve_due_at, case.resolve_risk_at = cal.due_and_risk(
        at, province=case.province_code, **_amount(policy, policy.resolve)
    )
    case.deadline_version = (case.deadline_version or 0) + 1


def pause(case: Case, at: datetime) -> None:
    if case.paused_at is None:
        case.paused_at = at


def resume(case: Case, at: datetime, calendar: WorkingCalendar | None = None) -> None:
    """Move the resolve deadline by the working time spent paused."""
    if case.paused_at is None:
        return
    cal = calendar or working_calendar()
    province = case.province_code
    if case.resolve_due_at is not None:
        case.resolve_due_at = cal.shift_for_pause(case.resolve_due_at, case.paused_at, at, province)
    if case.resolve_risk_at is not None:
        case.resolve_risk_at = cal.shift_for_pause(
            case.resolve_risk_at, case.paused_at, at, province
        )
    case.paused_at = None
    case.deadline_version = (case.deadline_version or 0) + 1


def restart_resolve(
    case: Case, at: datetime, target: float | None = None, calendar: WorkingCalendar | None = None
) -> None:
    """A fresh resolve deadline from `at` (an appeal, a new escalation level)."""
    policy = policy_for(case)
    if policy is None:
        return
    cal = calendar or working_calendar()
    amount = _amount(policy, policy.resolve if target is None else target)
    case.resolve_due_at, case.resolve_risk_at = cal.due_and_risk(
        at, province=case.province_code, **amount
    )
    case.paused_at = None
    case.overdue = False
    case.deadline_version = (case.deadline_version or 0) + 1


def escalation_target(case: Case) -> float | None:
    """The working-time target of the case's current escalation level, if the policy has one."""
    policy = db.session.get(SlaPolicy, case.sla_policy_id) if case.sla_policy_id else None
    ladder = list(policy.escalation or []) if policy else []
    level = case.escalation_level or 0
    if level <= 0 or not ladder:
        return None
    return float(ladder[min(level, len(ladder)) - 1])
