"""The escalation ladder as labelled: the policy's three targets, [province office,
national grievance unit, oversight body], each drive their own level (1, 2, 3)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from grievance.cases.models import Case
from grievance.extensions import db
from grievance.queues.models import Queue
from grievance.sla import clocks, ledger
from grievance.sla.models import LADDER, SlaPolicy
from grievance.sla.sweep import sweep
from tests.sla.conftest import file_at, officer, pp, reload, take_to_work, timeline

# Distinct targets, so a level that read its neighbour's would show.
TARGETS = {"province": 3.0, "national": 4.0, "oversight": 6.0}
QUEUES = {1: "office-kh-12", 2: "national", 3: "oversight"}


def climbing_case() -> Case:
    policy = db.session.scalar(
        select(SlaPolicy).where(
            SlaPolicy.kind == "grievance",
            SlaPolicy.priority == "normal",
            SlaPolicy.category_id.is_(None),
            SlaPolicy.active.is_(True),
        )
    )
    assert policy is not None
    policy.escalation = [TARGETS[name] for name in LADDER]
    db.session.flush()
    case = file_at(pp(2025, 12, 1, 8))
    take_to_work(case, officer(), pp(2025, 12, 1, 8))
    assert case.sla_policy_id == policy.id
    return case


def queue_code(case: Case) -> str | None:
    return db.session.scalar(select(Queue.code).where(Queue.id == case.queue_id))


def expected_dues(start: datetime) -> list[datetime]:
    """Level 0's deadline, then each level's own target counted from the missed one."""
    cal = clocks.working_calendar()
    dues = [start]
    for name in LADDER:
        dues.append(cal.add_working_time(dues[-1], days=TARGETS[name]))
    return dues


@pytest.mark.parametrize("level", [1, 2, 3], ids=list(LADDER))
def test_each_level_counts_its_own_target(level: int) -> None:
    case = climbing_case()
    dues = expected_dues(case.resolve_due_at)
    for reached in range(1, level + 1):  # one sweep per missed deadline
        sweep(dues[reached - 1] + timedelta(minutes=1))
    case = reload(case)
    assert case.escalation_level == level and queue_code(case) == QUEUES[level]
    assert case.resolve_due_at == dues[level]  # this level's target, no other
    assert (
        ledger.audit(case, dues[level - 1], clocks.working_calendar())["resolve"].due_at
        == case.resolve_due_at
    )


def test_a_case_climbs_all_the_way_in_one_sweep() -> None:
    case = climbing_case()
    dues = expected_dues(case.resolve_due_at)
    result = sweep(dues[3] + timedelta(minutes=1))
    case = reload(case)
    assert (result.breached, result.escalated) == (4, 3)
    assert [e.data["level"] for e in timeline(case, "sla_breach")] == [0, 1, 2, 3]
    moves = [e.data for e in timeline(case, "queue")]
    assert [m.get("to") for m in moves][-2:] == ["national", "oversight"]
    assert case.escalation_level == 3 and queue_code(case) == "oversight"
    assert case.resolve_due_at == dues[3] and case.overdue is True
    assert sweep(dues[3] + timedelta(days=60)).breached == 0  # the top: once


def test_the_admin_screen_and_the_case_panel_name_the_levels() -> None:
    from grievance.sla.status import LEVELS

    assert [str(LEVELS[n]) for n in (1, 2, 3)] == [
        "Province office",
        "National grievance unit",
        "Oversight body",
    ]
