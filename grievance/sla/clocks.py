"""Starting and moving a case's SLA deadlines. Called from case services and the sweep.

Deadlines are stored on the case (so the sweep is an indexed comparison); every move is
also written to the case timeline, so `grievance.sla.ledger` can re-derive them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from grievance import reference
from grievance.cases import events
from grievance.cases.models import Case
from grievance.extensions import db
from grievance.reference import PolicyRule
from grievance.sla.calendar import PHNOM_PENH, Closure, WorkingCalendar
from grievance.sla.models import SlaPolicy
from workflows import Effect, get_workflow

RISK_FRACTION = 0.75  # DESIGN.md: at risk once 75 % of the time is used
_SCOPED = "samleng.sla.calendar"


def _wall_clock(value: str) -> time:
    hours, _, minutes = value.strip().partition(":")
    return time(int(hours), int(minutes or 0))


def working_calendar() -> WorkingCalendar:
    """The calendar in force: weekends, KH holidays, the closures admins declared, and the
    configured office hours and time zone."""
    scoped = db.session.info.get(_SCOPED)
    if isinstance(scoped, WorkingCalendar):
        return scoped
    closures = reference.current().closures
    if not has_app_context():
        return _calendar(closures, "07:30", "17:30", PHNOM_PENH.key)
    cfg = current_app.config["SAMLENG"]
    return _calendar(closures, cfg.WORKDAY_START, cfg.WORKDAY_END, cfg.TIMEZONE)


@lru_cache(maxsize=16)
def _calendar(closures: tuple[Closure, ...], start: str, end: str, zone: str) -> WorkingCalendar:
    # One calendar for as long as the rules and the settings stay the same, so the days
    # it has worked out serve every later request and sweep.
    return WorkingCalendar(
        closures=closures, day_start=_wall_clock(start), day_end=_wall_clock(end), tz=ZoneInfo(zone)
    )


@contextmanager
def calendar_scope(calendar: WorkingCalendar) -> Iterator[WorkingCalendar]:
    """Reuse one calendar for a batch of cases (the sweep) instead of reloading closures."""
    db.session.info[_SCOPED] = calendar
    try:
        yield calendar
    finally:
        db.session.info.pop(_SCOPED, None)


def policy_for(case: Case) -> PolicyRule | None:
    """The category's own policy if there is one, else the kind's default, for the priority;
    the newest version of either."""
    candidates = [
        p
        for p in reference.current().policies
        if p.kind == case.kind
        and p.priority == case.priority
        and p.category_id in (case.category_id, None)
    ]
    if not candidates:
        return None
    return min(candidates, key=lambda p: (p.category_id is None, -p.version, p.id))


def amount(policy: PolicyRule | SlaPolicy, target: float) -> dict[str, float]:
    return {"days": target} if policy.unit == "days" else {"hours": target}


def target_seconds(
    policy: PolicyRule | SlaPolicy, target: float, calendar: WorkingCalendar
) -> float:
    return target * (calendar.day_seconds if policy.unit == "days" else 3600.0)


def start(case: Case, at: datetime, calendar: WorkingCalendar | None = None) -> None:
    """Set the acknowledge and resolve deadlines of a newly filed case."""
    policy = policy_for(case)
    if policy is None:
        return
    cal = calendar or working_calendar()
    case.sla_policy_id = policy.id
    case.ack_due_at, case.ack_risk_at = cal.due_and_risk(
        at,
        province=case.province_code,
        risk_fraction=RISK_FRACTION,
        **amount(policy, policy.acknowledge),
    )
    case.resolve_due_at, case.resolve_risk_at = cal.due_and_risk(
        at,
        province=case.province_code,
        risk_fraction=RISK_FRACTION,
        **amount(policy, policy.resolve),
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
    value = policy.resolve if target is None else target
    case.resolve_due_at, case.resolve_risk_at = cal.due_and_risk(
        at, province=case.province_code, risk_fraction=RISK_FRACTION, **amount(policy, value)
    )
    case.paused_at = None
    case.overdue = False
    case.deadline_version = (case.deadline_version or 0) + 1


def rebase_resolve(
    case: Case, origin: datetime, at: datetime, calendar: WorkingCalendar | None = None
) -> None:
    """Count the current escalation level's target from `origin` instead of from now.

    The sweep escalates a breach as of the moment it happened, so a sweep that ran late
    (or not at all for a while) gives every level the same time it would have had, and a
    jump past two levels is handled level by level. Part of the same restart, so the
    deadline version is not bumped again; the "restart" clock event records `origin`.
    """
    policy = db.session.get(SlaPolicy, case.sla_policy_id) if case.sla_policy_id else None
    if policy is None:
        return
    cal = calendar or working_calendar()
    target = escalation_target(case)
    value = policy.resolve if target is None else target
    case.resolve_due_at, case.resolve_risk_at = cal.due_and_risk(
        origin, province=case.province_code, risk_fraction=RISK_FRACTION, **amount(policy, value)
    )
    events.record(
        case,
        "clock",
        actor_id=None,
        actor_role="system",
        data={
            "clock": "resolve",
            "action": "restart",
            "level": case.escalation_level,
            "from": origin.isoformat(),
        },
        at=at,
    )


def escalation_target(case: Case) -> float | None:
    """The working-time target of the case's current escalation level, if the policy has one."""
    policy = db.session.get(SlaPolicy, case.sla_policy_id) if case.sla_policy_id else None
    return policy.level_target(case.escalation_level or 0) if policy else None


def record_changes(case: Case, effects: tuple[Effect, ...], transition: str, at: datetime) -> None:
    """After a transition: write a "clock" event for each pause and resume (the reason is
    the transition that caused it), and drop the overdue flag once no running clock is
    past its deadline (a stopped clock cannot be overdue any more)."""
    for effect in effects:
        if effect.kind != "clock":
            continue
        if effect.action in ("pause", "resume"):
            events.record(
                case,
                "clock",
                actor_id=None,
                actor_role="system",
                data={"clock": effect.target, "action": effect.action, "reason": transition},
                at=at,
            )
        elif effect.action == "stop" and case.overdue:
            case.overdue = running_past_due(case, at)


def running_past_due(case: Case, at: datetime) -> bool:
    running = get_workflow(case.workflow).state(case.state).clocks
    dues = {"acknowledge": case.ack_due_at, "resolve": case.resolve_due_at}
    return any((due := dues.get(c)) is not None and due <= at for c in running)
