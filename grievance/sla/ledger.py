"""SLA clocks re-derived from the case timeline, so stored deadlines can be audited.

The timeline says when each clock ran: the "filed" event starts the clocks of the first
state, "transition" events move between states whose clock sets say which clock runs or
is held (the same rule the engine uses, `workflows.clock_effects`), an `escalate`
transition restarts the resolve clock with its level's target, and a "restart" clock
event (written by the sweep) says the level's clock counts from the missed deadline.
From the current run of a clock and the policy the case runs under, the elapsed working
time and the deadline follow; they must equal what is stored on the case.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from grievance.cases.models import Case, CaseEvent
from grievance.extensions import db
from grievance.sla import clocks
from grievance.sla.calendar import WorkingCalendar
from grievance.sla.models import SlaPolicy
from workflows import clock_effects, get_workflow


@dataclass
class ClockRun:
    """The current run of one clock: from its last (re)start, with the stretches it ran."""

    clock: str
    started_by: str  # "filed", a transition name, or "restart"
    level: int
    segments: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    status: str = "running"  # running | paused | stopped

    @property
    def started_at(self) -> datetime:
        return self.segments[0][0]


@dataclass(frozen=True)
class ClockAudit:
    clock: str
    status: str
    started_at: datetime
    elapsed_seconds: float  # working seconds the clock has run in this run
    target_seconds: float | None
    due_at: datetime | None
    risk_at: datetime | None


def runs(case: Case, timeline: Iterable[CaseEvent] | None = None) -> dict[str, ClockRun]:
    """The current run of every clock that has run on the case."""
    workflow = get_workflow(case.workflow)
    found: dict[str, ClockRun] = {}
    if timeline is None:
        timeline = db.session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)
        )
    for event in timeline:
        at = event.created_at
        if event.kind == "filed" and event.to_state:
            for name in workflow.state(event.to_state).clocks:
                found[name] = ClockRun(name, "filed", 0, [(at, None)])
        elif event.kind == "transition" and event.from_state and event.to_state:
            name = str(event.data.get("transition", ""))
            before, after = workflow.state(event.from_state), workflow.state(event.to_state)
            for effect in clock_effects(before, after):
                _step(found, effect.target, effect.action, name, at)
            if name == "escalate":
                level = int(event.data.get("level", 0))
                found["resolve"] = ClockRun("resolve", "escalate", level, [(at, None)])
        elif event.kind == "clock" and event.data.get("action") == "restart":
            name = str(event.data["clock"])
            origin = datetime.fromisoformat(str(event.data["from"]))
            level = int(event.data.get("level", 0))
            found[name] = ClockRun(name, "escalate", level, [(origin, None)])
    return found


def _step(found: dict[str, ClockRun], clock: str, action: str, by: str, at: datetime) -> None:
    run = found.get(clock)
    if action == "start" or run is None:
        found[clock] = ClockRun(clock, by, 0, [(at, None)])
        return
    if action in ("pause", "stop") and run.segments and run.segments[-1][1] is None:
        run.segments[-1] = (run.segments[-1][0], at)
        run.status = "paused" if action == "pause" else "stopped"
    elif action == "resume":
        run.segments.append((at, None))
        run.status = "running"


def run_target(run: ClockRun, policy: SlaPolicy) -> float:
    """The run's target in the policy's unit (mirrors clocks.start / restart_resolve)."""
    if run.clock == "acknowledge":
        return float(policy.acknowledge)
    target = policy.level_target(run.level) if run.started_by == "escalate" else None
    return float(policy.resolve) if target is None else target


def elapsed(run: ClockRun, calendar: WorkingCalendar, province: str, now: datetime) -> float:
    """Working seconds the run has used up to `now`."""
    total = 0.0
    for begin, end in run.segments:
        stop = now if end is None or end > now else end
        total += calendar.working_seconds_between(begin, stop, province)
    return total


def deadlines(
    run: ClockRun, policy: SlaPolicy, calendar: WorkingCalendar, province: str
) -> tuple[datetime, datetime]:
    """(due, at-risk) replayed from the run: the target counted from the run's start, then
    moved by the working time of every finished hold, as `clocks.resume` does. A clock
    held right now keeps the deadline it had when it stopped, as stored."""
    value = clocks.amount(policy, run_target(run, policy))
    due, risk = calendar.due_and_risk(
        run.started_at, province=province, risk_fraction=clocks.RISK_FRACTION, **value
    )
    for (_begin, held_from), (held_to, _end) in zip(run.segments, run.segments[1:], strict=False):
        assert held_from is not None
        due = calendar.shift_for_pause(due, held_from, held_to, province)
        risk = calendar.shift_for_pause(risk, held_from, held_to, province)
    return due, risk


def audit(
    case: Case,
    now: datetime,
    calendar: WorkingCalendar | None = None,
    timeline: Iterable[CaseEvent] | None = None,
) -> dict[str, ClockAudit]:
    """Per clock: how much working time it has used and the deadline that follows."""
    cal = calendar or clocks.working_calendar()
    policy = db.session.get(SlaPolicy, case.sla_policy_id) if case.sla_policy_id else None
    result: dict[str, ClockAudit] = {}
    for name, run in runs(case, timeline).items():
        target = due = risk = None
        if policy is not None:
            target = clocks.target_seconds(policy, run_target(run, policy), cal)
            due, risk = deadlines(run, policy, cal, case.province_code)
        result[name] = ClockAudit(
            clock=name,
            status=run.status,
            started_at=run.started_at,
            elapsed_seconds=elapsed(run, cal, case.province_code, now),
            target_seconds=target,
            due_at=due,
            risk_at=risk,
        )
    return result
