"""What pages show about deadlines: state, working time left or overdue, expected date."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask

from grievance.cases import transitions
from grievance.sla import clocks, ledger
from grievance.sla.admin import add_closure, recompute_open_deadlines
from grievance.sla.status import describe, expected_date, sla_status
from tests.sla.conftest import file_at, officer, pp, reload, take_to_work, timeline


def test_states_over_a_cases_life(app: Flask) -> None:
    user = officer()
    case = file_at(pp(2026, 12, 7, 8))  # Monday; acknowledge within 2 working days

    fresh = sla_status(case, pp(2026, 12, 7, 9))
    assert (fresh.state, fresh.clock) == ("on_time", "acknowledge")
    assert (fresh.time_left.days, fresh.time_left.hours) == (1, 9)

    risky = sla_status(case, case.ack_risk_at + timedelta(minutes=1))
    assert risky.state == "at_risk" and risky.css == "sla-at-risk"

    late = sla_status(case, pp(2026, 12, 10, 9, 30))  # due Wednesday 08:00
    assert late.state == "overdue" and late.overdue_by.days == 1 and late.overdue_by.hours == 1
    with app.test_request_context("/?lang=en"):
        assert describe(late) == "Overdue by 1 working day 1 hour"
        assert describe(fresh) == "On time: 1 working day 9 hours left"

    take_to_work(case, user, pp(2026, 12, 7, 10))
    working = sla_status(case, pp(2026, 12, 10, 9, 30))
    assert working.clock == "resolve" and working.state == "on_time"
    assert working.time_left.days == 16

    me = transitions.actor_for(user)
    transitions.apply(case, "request_information", me, {"comment": "?"}, at=pp(2026, 12, 10, 10))
    held = sla_status(case, pp(2026, 12, 30))
    assert held.state == "paused" and held.time_left.days == 16
    assert expected_date(case) is None  # depends on the complainant's answer
    with app.test_request_context("/?lang=en"):
        assert describe(held) == "Paused: waiting for the complainant"

    transitions.apply(case, "resume_work", me, {"comment": "go"}, at=pp(2026, 12, 14, 10))
    local = case.resolve_due_at.astimezone(clocks.working_calendar().tz).date()
    assert expected_date(case) == local
    transitions.apply(case, "propose_resolution", me, {"resolution": "Paid"}, at=pp(2026, 12, 15))
    assert sla_status(case, pp(2026, 12, 16)).state == "stopped"
    assert expected_date(case) is None


def test_khmer_text(app: Flask) -> None:
    case = file_at(pp(2026, 12, 7, 8))
    status = sla_status(case, pp(2026, 12, 7, 9))
    with app.test_request_context("/?lang=km"):
        assert describe(status)  # Khmer once the catalogue is merged; never an error


def test_a_new_closure_moves_the_deadlines_of_open_cases_in_its_province() -> None:
    in_siem_reap = file_at(pp(2026, 12, 7, 8), province_code="KH-17")
    elsewhere = file_at(pp(2026, 12, 7, 8), province_code="KH-12")
    before = in_siem_reap.resolve_due_at, elsewhere.resolve_due_at
    admin = officer()
    add_closure(date(2026, 12, 14), date(2026, 12, 16), ["KH-17"], "Storm", actor_id=admin.id)

    moved = recompute_open_deadlines(date(2026, 12, 14), ["KH-17"])

    assert moved == 1
    cal = clocks.working_calendar()
    in_siem_reap, elsewhere = reload(in_siem_reap), reload(elsewhere)
    assert in_siem_reap.resolve_due_at == cal.add_working_time(
        pp(2026, 12, 7, 8), days=20, province="KH-17"
    )
    assert in_siem_reap.resolve_due_at > before[0]
    assert elsewhere.resolve_due_at == before[1]
    assert in_siem_reap.deadline_version == 2
    assert [e.data for e in timeline(in_siem_reap, "clock")] == [
        {"action": "recalculate", "reason": "closures changed"}
    ]
    assert (
        ledger.audit(in_siem_reap, pp(2026, 12, 20))["resolve"].due_at
        == in_siem_reap.resolve_due_at
    )
