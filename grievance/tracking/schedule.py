"""The dates the status page promises besides the SLA's expected date (which comes from
`grievance.sla.status.expected_date`): until when the complainant may appeal, and when an
answer she leaves unanswered closes the case by itself."""

from __future__ import annotations

from datetime import datetime

from grievance.cases.models import CaseView
from grievance.cases.transitions import APPEAL_WINDOW_DAYS, AUTO_CLOSE_DAYS
from grievance.sla.calendar import WorkingCalendar
from workflows import get_workflow


def appeal_until(case: CaseView, calendar: WorkingCalendar) -> datetime | None:
    """The end of the appeal window (15 working days after our answer), if the case has one."""
    workflow = get_workflow(case.workflow)
    if case.resolution_proposed_at is None or not workflow.has_transition("appeal"):
        return None
    if case.state not in workflow.transition("appeal").sources:
        return None
    return calendar.add_working_time(
        case.resolution_proposed_at, days=APPEAL_WINDOW_DAYS, province=case.province_code
    )


def closes_on(case: CaseView, calendar: WorkingCalendar) -> datetime | None:
    """The day an answer left unanswered closes the case (AUTO_CLOSE_DAYS working days)."""
    if case.resolution_proposed_at is None:
        return None
    return calendar.add_working_time(
        case.resolution_proposed_at, days=AUTO_CLOSE_DAYS, province=case.province_code
    )
