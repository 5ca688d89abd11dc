"""What a case's deadlines mean right now, for pages: case page, queue lists, public status.

`sla_status` is pure apart from the calendar (pass one in to show many cases at once).
Every state has a text label as well as a CSS class: colour never carries meaning alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import g
from flask_babel import gettext, ngettext

from grievance.cases.models import Case, CaseView
from grievance.sla import clocks
from grievance.sla.calendar import WorkingCalendar
from grievance.types import utcnow
from workflows import get_workflow
from workflows.i18n import N_

CLOCKS = ("acknowledge", "resolve")
STATES = {
    "on_time": N_("On time"),
    "at_risk": N_("At risk"),
    "overdue": N_("Overdue"),
    "paused": N_("Paused"),
    "stopped": N_("No deadline running"),
}
CLOCK_LABELS = {"acknowledge": N_("Acknowledge by"), "resolve": N_("Resolve by")}
LEVELS = {
    0: N_("Not escalated"),
    1: N_("Province office"),
    2: N_("National grievance unit"),
    3: N_("Oversight body"),
}
_WORST = {"overdue": 0, "at_risk": 1, "on_time": 2}


@dataclass(frozen=True)
class WorkingSpan:
    """An amount of working time, shown as working days and hours."""

    seconds: float
    day_seconds: float

    @property
    def days(self) -> int:
        return int(self.seconds // self.day_seconds)

    @property
    def hours(self) -> int:
        return int((self.seconds % self.day_seconds) // 3600)


@dataclass(frozen=True)
class SlaStatus:
    clock: str | None  # acknowledge | resolve; None when no clock runs
    due_at: datetime | None
    state: str  # on_time | at_risk | overdue | paused | stopped
    time_left: WorkingSpan | None = None  # on_time, at_risk, paused (left when it stopped)
    overdue_by: WorkingSpan | None = None  # overdue
    level: int = 0  # escalation level

    @property
    def label(self) -> str:
        return STATES[self.state]

    @property
    def css(self) -> str:
        return "sla-" + self.state.replace("_", "-")


def _dues(case: Case) -> dict[str, tuple[datetime | None, datetime | None]]:
    return {
        "acknowledge": (case.ack_due_at, case.ack_risk_at),
        "resolve": (case.resolve_due_at, case.resolve_risk_at),
    }


def clock_status(
    case: Case, clock: str, now: datetime, calendar: WorkingCalendar | None = None
) -> SlaStatus:
    """The status of one clock of the case."""
    state = get_workflow(case.workflow).state(case.state)
    due, risk = _dues(case)[clock]
    level = case.escalation_level or 0
    if due is None or (clock not in state.clocks and clock not in state.paused):
        return SlaStatus(clock, due, "stopped", level=level)
    cal = calendar or clocks.working_calendar()
    day = cal.day_seconds
    province = case.province_code
    if clock in state.paused or case.paused_at is not None:
        held = case.paused_at or now
        left = cal.working_seconds_between(held, due, province)
        return SlaStatus(clock, due, "paused", WorkingSpan(left, day), level=level)
    if due <= now:
        late = cal.working_seconds_between(due, now, province)
        return SlaStatus(clock, due, "overdue", overdue_by=WorkingSpan(late, day), level=level)
    remaining = WorkingSpan(cal.working_seconds_between(now, due, province), day)
    name = "at_risk" if risk is not None and risk <= now else "on_time"
    return SlaStatus(clock, due, name, remaining, level=level)


def sla_status(
    case: Case, now: datetime | None = None, calendar: WorkingCalendar | None = None
) -> SlaStatus:
    """The one status to show for a case: its most urgent running clock, else a held one."""
    now = now or utcnow()
    cal = calendar or clocks.working_calendar()
    found = [clock_status(case, c, now, cal) for c in CLOCKS]
    running = [s for s in found if s.state in _WORST]
    if running:
        return min(running, key=lambda s: (_WORST[s.state], s.due_at))
    paused = [s for s in found if s.state == "paused"]
    if paused:
        return paused[0]
    return SlaStatus(None, None, "stopped", level=case.escalation_level or 0)


def expected_date(case: CaseView, calendar: WorkingCalendar | None = None) -> date | None:
    """The date a complainant can expect an answer (local calendar date), for the public
    status page. None while the clock is held (it depends on their reply) or stopped."""
    state = get_workflow(case.workflow).state(case.state)
    if case.paused_at is not None or state.paused:
        return None
    cal = calendar or clocks.working_calendar()
    for clock, due in (("resolve", case.resolve_due_at), ("acknowledge", case.ack_due_at)):
        if clock in state.clocks and due is not None:
            return due.astimezone(cal.tz).date()
    return None


def span_text(span: WorkingSpan | None) -> str:
    """ "3 working days", "2 working days 4 hours", "5 hours", "less than an hour"."""
    if span is None:
        return ""
    parts = []
    if span.days:
        parts.append(ngettext("%(num)d working day", "%(num)d working days", span.days))
    if span.hours and span.days < 3:
        parts.append(ngettext("%(num)d hour", "%(num)d hours", span.hours))
    return " ".join(parts) or gettext("less than an hour")


def describe(status: SlaStatus) -> str:
    """The status in words: "On time: 3 working days left", "Overdue by 2 hours"..."""
    if status.state == "on_time":
        return gettext("On time: %(time)s left", time=span_text(status.time_left))
    if status.state == "at_risk":
        return gettext("At risk: %(time)s left", time=span_text(status.time_left))
    if status.state == "overdue":
        return gettext("Overdue by %(time)s", time=span_text(status.overdue_by))
    if status.state == "paused":
        return gettext("Paused: waiting for the complainant")
    return gettext(status.label)


def request_calendar() -> WorkingCalendar:
    """One calendar per request, however many cases a page shows."""
    cal = g.get("sla_calendar")
    if cal is None:
        cal = g.sla_calendar = clocks.working_calendar()
    return cal


def for_template(case: Case, clock: str | None = None) -> SlaStatus:
    if clock is not None:
        return clock_status(case, clock, utcnow(), request_calendar())
    return sla_status(case, utcnow(), request_calendar())
