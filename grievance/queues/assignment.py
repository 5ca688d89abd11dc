"""Who works which case: claim-next, automatic assignment, bulk reassignment.

Every assignment goes through the workflow engine (`transitions.apply`), so it is checked
against the workflow and written on the case's timeline. Services flush; callers commit.

Claim-next takes only `acknowledged` cases: acknowledging (an intake or case officer
confirming the complaint is ours, which tells the complainant) stays a step of its own.
Automatic assignment runs when a case in an auto-assign queue is acknowledged: a notice
handler queues `auto_assign_job`, which runs after the commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    false,
    func,
    or_,
    select,
    true,
    update,
)

from grievance.auth.models import User
from grievance.cases import eligibility, policy, transitions
from grievance.cases.models import Case
from grievance.effects import Notice, subscribe
from grievance.errors import DomainError, Forbidden
from grievance.extensions import db
from grievance.jobs import enqueue, job
from grievance.queues.models import Queue, queue_members
from grievance.queues.routing import members_of
from workflows import WORKFLOWS, WorkflowError

OPEN_STATES = frozenset(s for wf in WORKFLOWS.values() for s in wf.open_states())
# Workflows whose cases an officer can take with the "claim" transition.
CLAIMABLE = tuple(sorted(n for n, wf in WORKFLOWS.items() if wf.has_transition("claim")))
CLAIMABLE_STATE = "acknowledged"
_SQLITE_CANDIDATES = 5  # per round of compare-and-set attempts
_SQLITE_ROUNDS = 20


def member_queue_ids(user: User) -> list[int]:
    query = select(queue_members.c.queue_id).where(queue_members.c.user_id == user.id)
    return list(db.session.scalars(query))


def eligible_clause(officer: User, columns: Any = None) -> ColumnElement[bool]:
    """`eligibility.why_not(officer, case) is None` as SQL, over `columns` (Case's own by
    default, or a subquery's)."""
    c = Case.__table__.c if columns is None else columns
    if not officer.active or officer.away or not officer.has_role("officer"):
        return false()
    conditions: list[ColumnElement[bool]] = []
    provinces = eligibility.officer_provinces(officer)
    if provinces is not None:
        conditions.append(c.province_code.in_(sorted(provinces)))
    restricted = policy.restricted_provinces(officer)
    if restricted is not None:
        conditions.append(
            or_(c.confidentiality != "restricted", c.province_code.in_(sorted(restricted)))
        )
    if officer.sex != "female":
        conditions.append(c.prefers_woman_officer.is_(False))
    return and_(true(), *conditions)


def waiting_for(
    officer: User, queue_ids: Sequence[int], state: str = CLAIMABLE_STATE
) -> Select[tuple[int]]:
    """Ids of the cases this officer may claim from these queues, most urgent first."""
    query = select(Case.id).where(
        Case.queue_id.in_(queue_ids),
        Case.assignee_id.is_(None),
        # Written into the SQL, not bound: the planner must see it to use ix_cases_claimable.
        Case.state == bindparam("claimable", state, literal_execute=True),
        Case.workflow.in_(CLAIMABLE),
        eligible_clause(officer),
    )
    return query.order_by(Case.resolve_due_at.asc().nulls_last(), Case.id)


@dataclass
class Holdable:
    province_code: str
    confidentiality: str
    prefers_woman_officer: bool


@dataclass
class Nothing:
    """Why claim-next found nothing, in numbers: cases of these queues without an officer
    that this officer may not take (by the first reason that applies), or not yet."""

    away: bool = False
    not_acknowledged: int = 0  # she may take them once acknowledged
    blocked: dict[str, int] = field(default_factory=dict)  # eligibility reason -> cases


def why_nothing(officer: User, queue_ids: Sequence[int] | None = None) -> Nothing:
    mine = member_queue_ids(officer)
    wanted = mine if queue_ids is None else [q for q in queue_ids if q in mine]
    found = Nothing(away=officer.away)
    if not wanted:
        return found
    rows = db.session.execute(
        select(
            Case.state,
            Case.province_code,
            Case.confidentiality,
            Case.prefers_woman_officer,
            func.count(),
        )
        .where(
            Case.queue_id.in_(wanted),
            Case.assignee_id.is_(None),
            Case.closed_at.is_(None),
            Case.state.in_((CLAIMABLE_STATE, "submitted")),
            Case.workflow.in_(CLAIMABLE),
        )
        .group_by(Case.state, Case.province_code, Case.confidentiality, Case.prefers_woman_officer)
    ).all()
    for state, province, confidentiality, woman, n in rows:
        reason = eligibility.why_not(officer, Holdable(province, confidentiality, bool(woman)))
        if reason is not None and reason != "holder_away":
            found.blocked[reason] = found.blocked.get(reason, 0) + int(n)
        elif state == "submitted":
            found.not_acknowledged += int(n)
    return found


def claim_next(
    officer: User,
    queue_ids: Sequence[int] | None = None,
    *,
    acknowledge: bool = False,
    at: datetime | None = None,
) -> Case | None:
    """Give the officer the most urgent unassigned case of their queues (or of the given
    ones among them) that she may hold; None when nothing is waiting (`why_nothing` says
    why). With `acknowledge`, when no acknowledged case waits, the most urgent case not
    yet acknowledged is acknowledged and taken in one step. Never gives one case to two
    officers."""
    if not officer.has_role("officer"):
        raise Forbidden("not_an_officer")
    mine = member_queue_ids(officer)
    wanted = mine if queue_ids is None else [q for q in queue_ids if q in mine]
    if queue_ids is not None and not wanted:
        raise Forbidden("not_a_member")
    if not wanted or officer.away:
        return None
    rounds: list[tuple[str, tuple[str, ...]]] = [(CLAIMABLE_STATE, ("claim",))]
    if acknowledge:
        rounds.append(("submitted", ("acknowledge", "claim")))
    for state, steps in rounds:
        query = waiting_for(officer, wanted, state)
        if db.session.get_bind().dialect.name == "postgresql":
            case = _claim_locked(officer, query, steps, at)
        else:
            case = _claim_compare_and_set(officer, query, state, steps, at)
        if case is not None:
            return case
    return None


def _take(officer: User, case: Case, steps: Sequence[str], at: datetime | None) -> Case:
    actor = transitions.actor_for(officer)
    for step in steps:
        transitions.apply(case, step, actor, at=at)
    return case


def _claim_locked(
    officer: User, query: Select[tuple[int]], steps: Sequence[str], at: datetime | None
) -> Case | None:
    # Rows another claimer holds are skipped, not waited for; rows it has just claimed fail
    # the WHERE on re-check and are skipped too.
    case_id = db.session.scalar(query.limit(1).with_for_update(skip_locked=True, of=Case))
    if case_id is None:
        return None
    case = db.session.get(Case, case_id, populate_existing=True)
    assert case is not None
    return _take(officer, case, steps, at)


def _claim_compare_and_set(
    officer: User,
    query: Select[tuple[int]],
    state: str,
    steps: Sequence[str],
    at: datetime | None,
) -> Case | None:
    """SQLite has no row locks (it ignores FOR UPDATE): the claimer who flips assignee_id
    from NULL wins the case; the others see rowcount 0 and try the next candidate."""
    for _ in range(_SQLITE_ROUNDS):
        candidates = list(db.session.scalars(query.limit(_SQLITE_CANDIDATES)))
        if not candidates:
            return None
        for case_id in candidates:
            won = db.session.execute(
                update(Case)
                .where(Case.id == case_id, Case.assignee_id.is_(None), Case.state == state)
                .values(assignee_id=officer.id)
                .execution_options(synchronize_session=False)
            )
            if won.rowcount == 1:  # type: ignore[attr-defined]
                case = db.session.get(Case, case_id, populate_existing=True)
                assert case is not None
                # The row is ours now; the engine makes the claim proper (state, timeline).
                return _take(officer, case, steps, at)
    return None


open_load = eligibility.open_load
fits = eligibility.may_hold  # the one rule: see grievance.cases.eligibility


def least_loaded(
    queue: Queue, case: Case, exclude: Sequence[int] = (), extra: dict[int, int] | None = None
) -> User | None:
    """The available member with the fewest open cases and room under their capacity
    (`extra`: cases planned for members but not given yet, for a preview)."""
    members = [m for m in members_of(queue) if m.id not in exclude and fits(m, case)]
    load = open_load([m.id for m in members])
    for uid, n in (extra or {}).items():
        load[uid] = load.get(uid, 0) + n
    free = [m for m in members if load.get(m.id, 0) < m.capacity]
    return min(free, key=lambda m: (load.get(m.id, 0), m.id), default=None)


def auto_assign(case: Case, *, at: datetime | None = None) -> User | None:
    """Assign an acknowledged case of an auto-assign queue; None if it stays waiting."""
    queue = db.session.get(Queue, case.queue_id) if case.queue_id else None
    if queue is None or not queue.auto_assign or not queue.active:
        return None
    if case.assignee_id is not None or case.state != CLAIMABLE_STATE:
        return None
    if not WORKFLOWS[case.workflow].has_transition("assign"):
        return None
    officer = least_loaded(queue, case)
    if officer is None:
        return None
    transitions.apply(case, "assign", transitions.SYSTEM, {"assignee_id": officer.id}, at=at)
    return officer


@job(queue="default")
def auto_assign_job(case_id: int) -> None:
    """Idempotent: a case someone has meanwhile claimed or assigned is left alone."""
    case = db.session.get(Case, case_id)
    if case is None:
        return
    try:
        with db.session.begin_nested():  # a race lost undoes only this attempt
            auto_assign(case)
    except (transitions.StaleCase, WorkflowError):
        return


def route_appeal(case: Case, *, at: datetime | None = None) -> User | None:
    """Give an appealed case to an officer who may hold it and did not give the answer:
    the least loaded available member of its queue, else anyone eligible with room. None
    (the case stays, the supervisors were told) when nobody may take it."""
    if case.state != "appealed" or case.assignee_id not in (None, case.resolved_by_id):
        return None
    decider = [case.resolved_by_id] if case.resolved_by_id else []
    queue = db.session.get(Queue, case.queue_id) if case.queue_id else None
    officer = least_loaded(queue, case, exclude=decider) if queue is not None else None
    if officer is None:
        room = [c for c in eligibility.candidates(case, exclude=decider) if c.has_room]
        officer = room[0].user if room else None
    if officer is None:
        return None
    inputs = {"assignee_id": officer.id}
    transitions.apply(case, "route_appeal", transitions.SYSTEM, inputs, at=at)
    return officer


@job(queue="default")
def route_appeal_job(case_id: int) -> None:
    """Idempotent: a case already with another officer, or no longer appealed, is left."""
    case = db.session.get(Case, case_id)
    if case is None:
        return
    try:
        with db.session.begin_nested():
            route_appeal(case)
    except (transitions.StaleCase, WorkflowError, DomainError):
        return


def _on_notice(notice: Notice) -> None:
    if notice.template == "appeal_lodged":
        enqueue(route_appeal_job, notice.case_id)
        return
    if notice.template != "acknowledged":
        return
    case = db.session.get(Case, notice.case_id)
    queue = db.session.get(Queue, case.queue_id) if case and case.queue_id else None
    if queue is not None and queue.auto_assign:
        enqueue(auto_assign_job, notice.case_id)


def init_app(app: Flask) -> None:
    """Called when the queues blueprint is registered."""
    with app.app_context():
        subscribe(_on_notice)


@dataclass
class BulkResult:
    moved: list[str] = field(default_factory=list)  # references
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (reference, reason code)
    to: dict[str, str] = field(default_factory=dict)  # reference -> the new officer's name
    preview: bool = False  # nothing was moved: this is what would be


def reassign_all(
    leaving: User,
    target: User | None,
    reason: str,
    actor: User,
    *,
    mark_away: bool = False,
    preview: bool = False,
    at: datetime | None = None,
) -> BulkResult:
    """Move the open cases of an officer who leaves to `target`, or (None) share them out
    among the available members of each case's queue. Only cases the supervisor may see.
    With `preview`, change nothing and say what would move where."""
    if not actor.has_role("supervisor"):
        raise Forbidden("not_a_supervisor")
    if not reason.strip():
        raise DomainError("reason_required")
    if target is not None and target.id == leaving.id:
        raise DomainError("same_officer")
    cases = db.session.scalars(
        select(Case)
        .where(Case.assignee_id == leaving.id, Case.state.in_(OPEN_STATES))
        .where(policy.visible_clause(actor))
        .order_by(Case.resolve_due_at.asc().nulls_last(), Case.id)
    ).all()
    result = BulkResult(preview=preview)
    who = transitions.actor_for(actor)
    planned: dict[int, int] = {}
    for case in cases:
        to, why = _new_officer(case, leaving, target, planned if preview else {})
        if to is None:
            result.skipped.append((case.reference, why))
            continue
        if preview:
            if "reassign" not in {t.name for t in transitions.available(case, who)}:
                result.skipped.append((case.reference, "state"))
                continue
        else:
            inputs = {"reason": reason.strip(), "assignee_id": to.id}
            try:
                transitions.apply(case, "reassign", who, inputs, at=at)
            except WorkflowError:
                result.skipped.append((case.reference, "state"))
                continue
        planned[to.id] = planned.get(to.id, 0) + 1
        result.moved.append(case.reference)
        result.to[case.reference] = to.name
    if mark_away and not preview:
        leaving.away = True
    db.session.flush()
    return result


def _new_officer(
    case: Case, leaving: User, target: User | None, planned: dict[int, int]
) -> tuple[User | None, str]:
    if target is not None:
        return (target, "") if fits(target, case) else (None, "not_eligible")
    queue = db.session.get(Queue, case.queue_id) if case.queue_id else None
    officer = least_loaded(queue, case, [leaving.id], planned) if queue else None
    return (officer, "") if officer else (None, "nobody_available")
