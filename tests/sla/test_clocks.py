"""Deadlines set at filing, held while we wait for the complainant, re-derived from the timeline."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask

from grievance.cases import transitions
from grievance.errors import DomainError, Forbidden
from grievance.sla import clocks, ledger
from grievance.sla.admin import add_closure
from grievance.sla.services import change_priority
from tests.sla.conftest import file_at, officer, pp, reload, take_to_work, timeline

SUPERVISOR = transitions.Actor(id=None, roles=frozenset({"supervisor"}))
SECOND = timedelta(seconds=1)


def test_complaint_filed_friday_before_water_festival() -> None:
    case = file_at(pp(2026, 11, 20, 16))  # Friday 16:00; Mon-Wed 23-25 Nov are holidays

    # 2 working days = 20 office hours: 1.5 h Friday, 10 h Thursday 26, 8.5 h Friday 27.
    assert case.ack_due_at == pp(2026, 11, 27, 16)
    assert case.ack_due_at.tzinfo is UTC
    # At risk after 75 % (15 h): Thursday 10 h + 3.5 h Friday.
    assert case.ack_risk_at == pp(2026, 11, 27, 11)
    assert case.sla_policy_id is not None and case.deadline_version == 1


def test_one_working_day_from_friday_afternoon_ends_monday() -> None:
    case = file_at(pp(2026, 11, 13, 16), category_code="harassment_retaliation")  # urgent: 1 day
    assert case.priority == "urgent"
    assert case.ack_due_at == pp(2026, 11, 16, 16)


def test_a_province_closure_moves_deadlines_only_in_that_province() -> None:
    admin = officer()
    add_closure(
        date(2026, 11, 26), date(2026, 11, 27), ["KH-17"], "Flood in Siem Reap", actor_id=admin.id
    )

    siem_reap = file_at(pp(2026, 11, 20, 16), province_code="KH-17")
    phnom_penh = file_at(pp(2026, 11, 20, 16), province_code="KH-12")

    assert phnom_penh.ack_due_at == pp(2026, 11, 27, 16)
    # Thursday and Friday closed in KH-17 too: Monday 30 and Tuesday 1 December.
    assert siem_reap.ack_due_at == pp(2026, 12, 1, 16)


def test_configured_office_hours_are_used(app: Flask) -> None:
    config = app.config["SAMLENG"]
    config.WORKDAY_START, config.WORKDAY_END = "08:00", "17:00"
    try:
        case = file_at(pp(2026, 11, 13, 16), category_code="harassment_retaliation")
    finally:
        config.WORKDAY_START, config.WORKDAY_END = "07:30", "17:30"
    # 1 day = 9 h: 1 h Friday, 8 h Monday from 08:00.
    assert case.ack_due_at == pp(2026, 11, 16, 16)
    assert clocks.working_calendar().day_seconds == 10 * 3600


def test_three_working_days_waiting_move_the_resolve_deadline_by_three_working_days() -> None:
    user = officer()
    case = file_at(pp(2026, 12, 7, 8))  # Monday
    take_to_work(case, user, pp(2026, 12, 7, 9))
    before_due, before_risk = case.resolve_due_at, case.resolve_risk_at
    version = case.deadline_version
    me = transitions.actor_for(user)

    transitions.apply(
        case, "request_information", me, {"comment": "Payslip?"}, at=pp(2026, 12, 8, 10)
    )
    assert case.paused_at == pp(2026, 12, 8, 10)
    assert case.resolve_due_at == before_due  # held, not moved yet
    # Tuesday 10:00 to Friday 10:00 is three working days.
    transitions.apply(
        case,
        "provide_information",
        transitions.COMPLAINANT,
        {"answer": "Sent"},
        at=pp(2026, 12, 11, 10),
    )

    cal = clocks.working_calendar()
    assert case.paused_at is None
    assert case.resolve_due_at == cal.add_working_time(before_due, days=3)
    assert case.resolve_risk_at == cal.add_working_time(before_risk, days=3)
    assert case.deadline_version == version + 1
    held = [e.data for e in timeline(case, "clock")]
    assert held == [
        {"clock": "resolve", "action": "pause", "reason": "request_information"},
        {"clock": "resolve", "action": "resume", "reason": "provide_information"},
    ]


def test_the_timeline_gives_back_the_stored_deadlines_and_the_elapsed_time() -> None:
    user = officer()
    case = file_at(pp(2026, 12, 7, 8))
    take_to_work(case, user, pp(2026, 12, 7, 15))
    me = transitions.actor_for(user)
    cal = clocks.working_calendar()
    for asked, answered in (
        (pp(2026, 12, 8, 9), pp(2026, 12, 9, 16)),
        (pp(2026, 12, 14, 17), pp(2026, 12, 21, 8)),
    ):
        transitions.apply(case, "request_information", me, {"comment": "?"}, at=asked)
        audit = ledger.audit(case, asked + timedelta(hours=30), cal)["resolve"]
        assert audit.status == "paused" and audit.due_at == case.resolve_due_at
        transitions.apply(case, "resume_work", me, {"comment": "Go on"}, at=answered)

    now = pp(2026, 12, 22, 12)
    audit = ledger.audit(case, now, cal)
    resolve = audit["resolve"]
    assert resolve.status == "running"
    assert resolve.due_at == case.resolve_due_at and resolve.risk_at == case.resolve_risk_at
    assert audit["acknowledge"].status == "stopped"
    # Used + left = the whole 20 working days.
    left = cal.working_seconds_between(now, case.resolve_due_at, case.province_code)
    assert resolve.target_seconds == 20 * cal.day_seconds
    assert abs(resolve.elapsed_seconds + left - resolve.target_seconds) < 1
    # By hand: Mon 7 08:00-Tue 8 09:00 is 11 h; Wed 9 16:00-Mon 14 17:00 is 1.5 + 10 + 10
    # + 9.5 h; Mon 21 08:00-Tue 22 12:00 is 9.5 + 4.5 h.
    assert resolve.elapsed_seconds == (11 + 31 + 14) * 3600


def test_escalation_restarts_the_clock_with_the_level_target() -> None:
    case = file_at(pp(2026, 12, 7, 8))
    transitions.apply(case, "escalate", SUPERVISOR, {"reason": "Press"}, at=pp(2026, 12, 8, 8))
    cal = clocks.working_calendar()
    assert case.escalation_level == 1
    assert case.resolve_due_at == cal.add_working_time(pp(2026, 12, 8, 8), days=5)  # ladder[0]
    assert ledger.audit(case, pp(2026, 12, 9), cal)["resolve"].due_at == case.resolve_due_at


def test_changing_priority_counts_used_time_against_the_new_targets() -> None:
    user = officer()
    case = file_at(pp(2026, 12, 7, 8))  # normal: resolve in 20 working days
    take_to_work(case, user, pp(2026, 12, 7, 8))
    version = case.deadline_version
    boss = transitions.Actor(id=None, roles=frozenset({"supervisor"}))

    change_priority(case, "urgent", boss, "Retaliation by the employer", at=pp(2026, 12, 8, 8))

    cal = clocks.working_calendar()
    assert case.priority == "urgent"
    assert case.resolve_due_at == cal.add_working_time(pp(2026, 12, 7, 8), days=5)
    assert case.deadline_version == version + 1
    event = timeline(case, "clock")[-1]
    assert event.data == {
        "action": "priority",
        "from": "normal",
        "to": "urgent",
        "reason": "Retaliation by the employer",
    }
    assert ledger.audit(case, pp(2026, 12, 9), cal)["resolve"].due_at == case.resolve_due_at


def test_changing_priority_needs_a_reason_and_the_right_person() -> None:
    case = file_at(pp(2026, 12, 7, 8))
    boss = transitions.Actor(id=None, roles=frozenset({"supervisor"}))
    stranger = transitions.Actor(id=999, roles=frozenset({"officer"}))
    with pytest.raises(DomainError):
        change_priority(case, "urgent", boss, "  ")
    with pytest.raises(DomainError):
        change_priority(case, "extreme", boss, "why")
    with pytest.raises(Forbidden):
        change_priority(case, "urgent", stranger, "why")
    assert reload(case).priority == "normal"


def test_proposing_a_resolution_clears_overdue() -> None:
    user = officer()
    case = file_at(pp(2026, 12, 7, 8))
    take_to_work(case, user, pp(2026, 12, 7, 8))
    case.overdue = True
    transitions.apply(
        case,
        "propose_resolution",
        transitions.actor_for(user),
        {"resolution": "Paid"},
        at=datetime(2027, 3, 1, tzinfo=UTC),
    )
    assert case.overdue is False
