"""The sweep: reminders at 75 %, breach -> overdue, told, escalated one level; exactly once."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from grievance import uow
from grievance.cases import transitions
from grievance.cases.models import Case
from grievance.extensions import db
from grievance.queues.models import Queue
from grievance.sla import clocks, ledger
from grievance.sla.models import SlaMark
from grievance.sla.sweep import handle_job, sweep, sweep_job
from notifications.models import Notification
from tests.conftest import Released
from tests.sla.conftest import file_at, officer, pp, reload, supervisor, take_to_work, timeline


def notices(case: Case, template: str) -> list[Notification]:
    query = select(Notification).where(
        Notification.case_id == case.id, Notification.template == template
    )
    return list(db.session.scalars(query))


def queue_code(case: Case) -> str | None:
    return db.session.scalar(select(Queue.code).where(Queue.id == case.queue_id))


def working_case() -> tuple[Case, object]:
    user = officer()
    case = file_at(pp(2025, 12, 1, 8))  # normal complaint: resolve in 20 working days
    take_to_work(case, user, pp(2025, 12, 1, 8))
    return case, user


def test_at_risk_reminds_the_assignee_once() -> None:
    case, user = working_case()
    now = case.resolve_risk_at + timedelta(minutes=1)

    results = [sweep(now) for _ in range(3)]

    assert [r.at_risk for r in results] == [1, 0, 0]
    events = timeline(case, "sla_at_risk")
    assert [e.data for e in events] == [{"clock": "resolve", "level": 0}]
    reminders = notices(case, "sla_at_risk")
    assert reminders and {n.user_id for n in reminders} == {user.id}
    assert reload(case).overdue is False and case.state == "in_progress"


def test_breach_marks_overdue_tells_the_supervisor_and_escalates_once() -> None:
    boss = supervisor("KH-12")
    case, _user = working_case()
    due = case.resolve_due_at
    now = due + timedelta(minutes=5)

    first = sweep(now)
    second, third = sweep(now), sweep(now + timedelta(minutes=1))

    assert (first.breached, first.escalated) == (1, 1)
    assert second.breached == third.breached == second.at_risk == 0
    case = reload(case)
    assert case.state == "escalated" and case.escalation_level == 1
    # Level 1 is the province office: the case stays in its provincial queue.
    assert queue_code(case) == "office-kh-12"
    kinds = [e.kind for e in timeline(case)][-3:]
    assert kinds == ["sla_breach", "transition", "clock"]  # no reminder once past due
    assert [e.data for e in timeline(case, "sla_breach")] == [{"clock": "resolve", "level": 0}]
    assert {n.user_id for n in notices(case, "sla_breach")} == {boss.id}
    # Level 1 has its own target (5 working days) counted from the missed deadline.
    cal = clocks.working_calendar()
    assert case.resolve_due_at == cal.add_working_time(due, days=5)
    assert case.overdue is False  # a fresh deadline at the new level
    assert ledger.audit(case, now, cal)["resolve"].due_at == case.resolve_due_at
    marks = db.session.scalar(select(func.count()).where(SlaMark.case_id == case.id))
    assert marks == 1


def test_time_jumped_past_every_level_is_handled_level_by_level() -> None:
    case, _user = working_case()
    cal = clocks.working_calendar()
    due0 = case.resolve_due_at
    due1 = cal.add_working_time(due0, days=5)
    due2 = cal.add_working_time(due1, days=5)
    due3 = cal.add_working_time(due2, days=5)

    result = sweep(due3 + timedelta(days=1))

    assert result.breached == 4 and result.escalated == 3 and result.passes == 4
    case = reload(case)
    breaches = [e.data["level"] for e in timeline(case, "sla_breach")]
    assert breaches == [0, 1, 2, 3]
    escalations = [
        e.data["level"] for e in timeline(case, "transition") if e.to_state == "escalated"
    ]
    assert escalations == [1, 2, 3]
    assert case.escalation_level == 3 and queue_code(case) == "oversight"
    assert case.resolve_due_at == due3
    # At the top of the ladder a breach marks and tells, and that stays done.
    assert case.overdue is True
    assert sweep(due3 + timedelta(days=30)).breached == 0


def test_acknowledge_breach_marks_overdue_without_escalating() -> None:
    supervisor("KH-12")
    case = file_at(pp(2025, 12, 1, 8))
    now = case.ack_due_at + timedelta(minutes=1)

    result = sweep(now)

    case = reload(case)
    assert (result.breached, result.escalated) == (1, 0)
    assert case.state == "submitted" and case.overdue is True and case.escalation_level == 0
    assert [e.data for e in timeline(case, "sla_breach")] == [{"clock": "acknowledge", "level": 0}]
    assert notices(case, "sla_breach")
    # Acknowledging stops that clock, and with it the overdue mark.
    boss = transitions.Actor(id=None, roles=frozenset({"supervisor"}))
    transitions.apply(case, "acknowledge", boss, at=now + timedelta(hours=1))
    assert case.overdue is False


def test_a_case_waiting_for_the_complainant_is_left_alone() -> None:
    case, user = working_case()
    transitions.apply(
        case,
        "request_information",
        transitions.actor_for(user),
        {"comment": "?"},
        at=pp(2025, 12, 2),
    )
    result = sweep(case.resolve_due_at + timedelta(days=10))
    assert (result.at_risk, result.breached) == (0, 0)
    assert reload(case).state == "awaiting_complainant"


def test_information_requests_have_no_ladder() -> None:
    case = file_at(pp(2025, 12, 1, 8), category_code="information")
    result = sweep(case.resolve_due_at + timedelta(minutes=1))
    case = reload(case)
    assert (result.breached, result.escalated) == (1, 0)
    assert case.overdue is True and case.state == "submitted"


def test_the_job_sweeps_at_the_current_time() -> None:
    case, _user = working_case()
    with time_machine.travel(case.resolve_due_at + timedelta(hours=1), tick=False):
        outcome = sweep_job()
    assert outcome["breached"] == 1 and outcome["escalated"] == 1
    assert reload(case).escalation_level == 1


def test_a_changed_deadline_can_be_reminded_again() -> None:
    case, user = working_case()
    me = transitions.actor_for(user)
    first = case.resolve_risk_at + timedelta(minutes=1)
    assert sweep(first).at_risk == 1
    transitions.apply(case, "request_information", me, {"comment": "?"}, at=first)
    transitions.apply(case, "resume_work", me, {"comment": "ok"}, at=first + timedelta(days=7))
    assert sweep(case.resolve_risk_at - timedelta(minutes=1)).at_risk == 0
    assert sweep(case.resolve_risk_at + timedelta(minutes=1)).at_risk == 1


def test_a_mass_of_claims_goes_to_jobs_in_batches(
    recorded_jobs: Released,
) -> None:
    cases = [working_case()[0] for _ in range(3)]
    now = max(c.resolve_due_at for c in cases) + timedelta(minutes=1)

    result = sweep(now, inline_cases=2)  # more claimed cases than a sweep handles itself
    uow.checkpoint()  # the jobs leave with the commit

    assert result.deferred == 3 and result.breached == 0
    handlers = [ids for name, ids in recorded_jobs if name == "grievance.sla.sweep.handle_job"]
    assert len(handlers) == 1  # one batch
    ids = handlers[0]
    assert sorted(ids) == sorted(c.id for c in cases)
    with time_machine.travel(now + timedelta(minutes=2), tick=False):
        outcome = handle_job(*ids)
        assert outcome["breached"] == 3 and outcome["escalated"] == 3
        assert handle_job(*ids)["breached"] == 0  # a job run twice acts once
    for case in cases:
        assert len(timeline(reload(case), "sla_breach")) == 1


def test_a_lost_job_is_handed_out_again() -> None:
    case, _user = working_case()
    now = case.resolve_due_at + timedelta(minutes=1)
    assert sweep(now, inline_cases=0).deferred == 1  # its job never runs

    assert sweep(now + timedelta(minutes=1)).breached == 0  # not yet: it may still run
    later = sweep(now + timedelta(minutes=11))
    assert later.breached == 1 and later.escalated == 1
    assert reload(case).escalation_level == 1
