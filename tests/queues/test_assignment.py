"""Claim-next, automatic assignment and bulk reassignment, all through the workflow engine."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from grievance import uow
from grievance.cases import transitions
from grievance.cases.models import Case, CaseEvent
from grievance.errors import DomainError, Forbidden
from grievance.extensions import db
from grievance.queues import assignment
from grievance.queues.assignment import auto_assign, claim_next, reassign_all
from grievance.types import utcnow
from tests.conftest import Released
from tests.factories import make_case, make_user
from tests.queues.helpers import SUPERVISOR, acknowledged_case, join, make_queue, queue, reload


def test_claim_next_takes_the_earliest_deadline_and_writes_the_timeline() -> None:
    now = utcnow()
    later = acknowledged_case(due=now + timedelta(days=5))
    sooner = acknowledged_case(due=now + timedelta(days=1))
    officer = make_user("officer", name="Sophea")
    join(officer, "office-kh-12")

    first = claim_next(officer)
    second = claim_next(officer)

    assert first is not None and first.id == sooner.id
    assert second is not None and second.id == later.id
    case = reload(first)
    assert case.state == "assigned" and case.assignee_id == officer.id
    last = case.events[-1]
    assert last.kind == "transition" and last.data["transition"] == "claim"
    assert last.actor_id == officer.id
    assert claim_next(officer) is None


def test_claim_next_only_from_my_queues_and_only_acknowledged_cases() -> None:
    acknowledged_case(province_code="KH-17")
    make_case()  # submitted, not yet acknowledged: not claimable
    officer = make_user("officer")
    join(officer, "office-kh-12")
    assert claim_next(officer) is None
    with pytest.raises(Forbidden):
        claim_next(officer, [queue("office-kh-17").id])


def test_claim_next_needs_the_officer_role() -> None:
    intake = make_user("intake")
    with pytest.raises(Forbidden):
        claim_next(intake)


def test_restricted_cases_only_for_designated_officers() -> None:
    case = acknowledged_case(category_code="harassment_retaliation", confidentiality="restricted")
    national = make_user("officer", sex="female")
    join(national, "national")
    # Even a member of the restricted queue's list of queues must be designated: membership
    # of the restricted queue is the designation.
    assert claim_next(national) is None
    designated = make_user("officer", sex="female")
    join(designated, "restricted")
    assert claim_next(designated).id == case.id


def test_woman_officer_wish_is_honoured() -> None:
    case = acknowledged_case(prefers_woman_officer=True)
    man = make_user("officer", sex="male")
    woman = make_user("officer", sex="female")
    join(man, "office-kh-12")
    join(woman, "office-kh-12")
    assert claim_next(man) is None
    assert claim_next(woman).id == case.id


def test_province_scoped_officer_only_claims_cases_of_their_province() -> None:
    acknowledged_case(province_code="KH-17")
    officer = make_user("officer", province="KH-12")
    join(officer, "office-kh-17")
    assert claim_next(officer) is None


def _loaded(officer: object, n: int) -> None:
    for _ in range(n):
        case = acknowledged_case(province_code="KH-3")
        transitions.apply(case, "assign", SUPERVISOR, {"assignee_id": officer.id})  # type: ignore[attr-defined]
    db.session.flush()


def test_auto_assign_picks_the_least_loaded_available_officer() -> None:
    busy = make_user("officer", name="Busy")
    free = make_user("officer", name="Free")
    away = make_user("officer", name="Away", away=True)
    full = make_user("officer", name="Full", capacity=1)
    _loaded(busy, 2)
    _loaded(free, 1)
    _loaded(full, 1)
    make_queue(
        "auto",
        position=1,
        province_code="KH-12",
        auto_assign=True,
        members=[busy, free, away, full],
    )
    case = acknowledged_case()
    assert auto_assign(case) == free
    case = reload(case)
    assert case.state == "assigned" and case.assignee_id == free.id
    event = case.events[-1]
    assert event.data["transition"] == "assign" and event.actor_role == "system"


def test_auto_assign_honours_the_woman_officer_wish_and_the_flag() -> None:
    man = make_user("officer", sex="male")
    woman = make_user("officer", sex="female", capacity=0)
    make_queue("auto", position=1, province_code="KH-12", auto_assign=True, members=[man, woman])
    case = acknowledged_case(prefers_woman_officer=True)
    assert auto_assign(case) is None  # the only woman has no capacity left
    assert reload(case).assignee_id is None
    manual = make_queue("manual", position=1, province_code="KH-3", members=[man])
    other = acknowledged_case(province_code="KH-3")
    assert other.queue_id == manual.id and auto_assign(other) is None


def test_acknowledging_a_case_in_an_auto_assign_queue_queues_the_job(
    recorded_jobs: Released,
) -> None:
    officer = make_user("officer")
    make_queue("auto", position=1, province_code="KH-12", auto_assign=True, members=[officer])
    case = acknowledged_case()
    uow.checkpoint()
    assert ("grievance.queues.assignment.auto_assign_job", (case.id,)) in recorded_jobs
    assignment.auto_assign_job(case.id)
    assert reload(case).assignee_id == officer.id
    assignment.auto_assign_job(case.id)  # twice: nothing more happens
    assert [e.data.get("transition") for e in reload(case).events].count("assign") == 1


def test_no_job_for_ordinary_queues(recorded_jobs: Released) -> None:
    acknowledged_case()
    uow.checkpoint()
    assert not [n for n, _ in recorded_jobs if n.endswith("auto_assign_job")]


def test_bulk_reassignment_to_a_named_officer() -> None:
    supervisor = make_user("supervisor")
    leaving = make_user("officer")
    join(leaving, "restricted")  # designated: she may hold restricted cases
    target = make_user("officer", name="Target")
    _loaded(leaving, 3)
    restricted = acknowledged_case(confidentiality="restricted")
    transitions.apply(restricted, "assign", SUPERVISOR, {"assignee_id": leaving.id})
    db.session.flush()

    result = reassign_all(leaving, target, "Sokha left NSSF", supervisor, mark_away=True)

    assert len(result.moved) == 3
    assert result.skipped == []  # the restricted case is invisible to this supervisor
    moved = db.session.scalars(select(Case).where(Case.reference.in_(result.moved))).all()
    assert {c.assignee_id for c in moved} == {target.id}
    event = moved[0].events[-1]
    assert event.data == {
        "transition": "reassign",
        "reason": "Sokha left NSSF",
        "assignee_id": target.id,
    }
    assert leaving.away is True
    assert reload(restricted).assignee_id == leaving.id


def test_bulk_reassignment_shares_cases_out_and_reports_what_it_could_not_move() -> None:
    supervisor = make_user("supervisor")
    join(supervisor, "restricted")  # designated: sees restricted cases too
    leaving = make_user("officer", sex="female")
    join(leaving, "restricted")
    a, b = make_user("officer"), make_user("officer")
    make_queue("kh3", position=1, province_code="KH-3", members=[leaving, a, b])
    _loaded(leaving, 4)
    restricted = acknowledged_case(confidentiality="restricted")
    transitions.apply(restricted, "assign", SUPERVISOR, {"assignee_id": leaving.id})
    db.session.flush()

    result = reassign_all(leaving, None, "Maternity leave", supervisor)

    assert len(result.moved) == 4
    assert result.skipped == [(restricted.reference, "nobody_available")]
    loads = assignment.open_load([a.id, b.id])
    assert loads == {a.id: 2, b.id: 2}


def test_bulk_reassignment_refuses_an_ineligible_target_and_needs_a_reason() -> None:
    supervisor = make_user("supervisor")
    leaving = make_user("officer", sex="female")
    man = make_user("officer", sex="male")
    case = acknowledged_case(prefers_woman_officer=True)
    transitions.apply(case, "assign", SUPERVISOR, {"assignee_id": leaving.id})
    db.session.flush()
    result = reassign_all(leaving, man, "Leaving", supervisor)
    assert result.skipped == [(case.reference, "not_eligible")]
    with pytest.raises(DomainError):
        reassign_all(leaving, man, "   ", supervisor)
    with pytest.raises(Forbidden):
        reassign_all(leaving, man, "Leaving", make_user("officer"))


def test_bulk_preview_moves_nothing_and_says_what_the_move_will_do() -> None:
    supervisor = make_user("supervisor")
    leaving = make_user("officer", sex="female")
    a, b = make_user("officer", name="A"), make_user("officer", name="B")
    make_queue("kh3", position=1, province_code="KH-3", members=[leaving, a, b])
    _loaded(leaving, 4)
    events_before = db.session.scalar(select(func.count()).select_from(CaseEvent))

    preview = reassign_all(leaving, None, "Maternity leave", supervisor, preview=True)

    assert preview.preview and len(preview.moved) == 4
    assert sorted(preview.to.values()) == ["A", "A", "B", "B"]  # shared out as it will be
    assert db.session.scalar(select(func.count()).select_from(CaseEvent)) == events_before
    assert assignment.open_load([leaving.id]) == {leaving.id: 4}
    done = reassign_all(leaving, None, "Maternity leave", supervisor)
    assert done.to == preview.to
