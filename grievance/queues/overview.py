"""Read side of the queues: the queues a user works from with their counts, one queue's
cases without an officer, the supervisors' workload view and break-glass log.

Counts per queue stop at COUNT_CAP: a backlog's size is found by visiting it, and past a
thousand waiting cases the exact number changes nothing anyone does ("1000+").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import joinedload

from grievance.auth.models import User, UserRole
from grievance.cases import policy
from grievance.cases.models import Case, CaseEvent
from grievance.errors import NotFound
from grievance.extensions import db
from grievance.i18n import lang
from grievance.khmer import sorted_by
from grievance.queues.assignment import CLAIMABLE_STATE, OPEN_STATES, eligible_clause
from grievance.queues.models import Queue, queue_members
from grievance.queues.workspace import Page, overdue_clause, page_of

COUNT_CAP = 1000


@dataclass
class Memberships:
    queue_ids: set[int]
    restricted: policy.RestrictedScope  # provinces of the restricted queues she is in

    @property
    def designated(self) -> bool:  # a member of an active restricted queue
        return self.restricted != set()


def memberships(user: User) -> Memberships:
    rows = db.session.execute(
        select(Queue.id, Queue.restricted, Queue.active, Queue.province_code)
        .join(queue_members, queue_members.c.queue_id == Queue.id)
        .where(queue_members.c.user_id == user.id)
    ).all()
    scope = policy.scope_of(r[3] for r in rows if r[1] and r[2])
    return Memberships({r[0] for r in rows}, scope)


def queues_for(user: User, mine: Memberships) -> list[Queue]:
    """Queues a user works from: the ones they are a member of and, for supervisors and
    admins, the active queues of their provinces. Restricted queues: designated staff only."""
    query = select(Queue).order_by(Queue.level, Queue.position, Queue.id)
    member = Queue.id.in_(mine.queue_ids)
    if user.has_role("supervisor", "admin"):
        provinces = policy.provinces_of(user)
        scoped: ColumnElement[bool] = Queue.active.is_(True)
        if provinces is not None:
            scoped = and_(scoped, Queue.province_code.in_(provinces))
        query = query.where(or_(scoped, member))
    else:
        query = query.where(member)
    return [q for q in db.session.scalars(query) if mine.designated or not q.restricted]


@dataclass
class QueueSummary:
    queue: Queue
    unassigned: int = 0  # open cases nobody works on yet: the queue's backlog
    waiting: int = 0  # of which acknowledged: what claim-next takes
    for_me: int = 0  # of which the viewer may take herself (officers)
    new: int = 0  # of which not yet acknowledged
    overdue: int = 0  # of which overdue
    capped: bool = False  # the backlog is larger than COUNT_CAP: the counts are minimums
    oldest: Case | None = None  # the unassigned case that has waited longest


def _backlog(queue_ids: list[int], visible: ColumnElement[bool], *columns: Any) -> Select[Any]:
    """Open cases of these queues (no ids: the enclosing query's queue) without an officer.
    `closed_at IS NULL` (the engine keeps it null exactly in open states) lets the partial
    indexes ix_cases_backlog_* serve."""
    queue = Case.queue_id.in_(queue_ids) if queue_ids else Case.queue_id == Queue.id
    return select(*(columns or (Case.id,))).where(
        queue,
        Case.assignee_id.is_(None),
        Case.closed_at.is_(None),
        Case.state.in_(OPEN_STATES),
        visible,
    )


def summaries(
    user: User, queues: list[Queue], now: datetime, mine: Memberships
) -> list[QueueSummary]:
    """Counts over each queue's first COUNT_CAP + 1 cases without an officer (in deadline
    order), and its oldest one: correlated subqueries, one statement for any number of
    queues, each an index range scan that stops at the cap."""
    by_id = {q.id: QueueSummary(q) for q in queues}
    if not by_id:
        return []
    visible = policy.visible_clause(user, unassigned=True, restricted=mine.restricted)
    first = (
        _backlog([], visible, Case.state, Case.acknowledged_at, Case.overdue, Case.paused_at,
                 Case.resolve_due_at, Case.province_code, Case.confidentiality,
                 Case.prefers_woman_officer)
        .order_by(Case.resolve_due_at.asc().nulls_last(), Case.id)
        .limit(COUNT_CAP + 1)
        .correlate(Queue)
        .subquery()
    )  # fmt: skip

    def figure(value: Any) -> Any:
        return select(value).select_from(first).scalar_subquery()

    def share(condition: ColumnElement[bool]) -> Any:
        return figure(func.coalesce(func.sum(case((condition, 1), else_=0)), 0))

    oldest = _backlog([], visible).order_by(Case.created_at, Case.id).limit(1).correlate(Queue)
    rows = db.session.execute(
        select(
            Queue.id,
            figure(func.count()),
            share(first.c.state == CLAIMABLE_STATE),
            share(and_(first.c.state == CLAIMABLE_STATE, eligible_clause(user, first.c))),
            share(first.c.acknowledged_at.is_(None)),
            share(overdue_clause(now, first.c)),
            oldest.scalar_subquery(),
        ).where(Queue.id.in_(list(by_id)))
    ).all()
    oldest_ids = {row[6]: row[0] for row in rows if row[6] is not None}
    for c in db.session.scalars(select(Case).where(Case.id.in_(list(oldest_ids)))):
        by_id[oldest_ids[c.id]].oldest = c
    for queue_id, n_unassigned, n_waiting, n_mine, n_new, n_overdue, _oldest in rows:
        s = by_id[queue_id]
        s.capped = n_unassigned > COUNT_CAP
        s.unassigned = min(n_unassigned, COUNT_CAP)
        s.waiting, s.new, s.overdue = int(n_waiting), int(n_new), int(n_overdue)
        s.for_me = int(n_mine)
    return list(by_id.values())


@dataclass
class Overview:
    queues: list[QueueSummary]
    member_of: set[int]


def overview(user: User, now: datetime) -> Overview:
    mine = memberships(user)
    return Overview(summaries(user, queues_for(user, mine), now, mine), mine.queue_ids)


@dataclass
class QueueView:
    summary: QueueSummary
    page: Page
    member: bool


def queue_view(user: User, code: str, page: int, now: datetime) -> QueueView:
    """A queue's counts and a page of its cases without an officer, in the order
    claim-next takes them (earliest deadline first, so late ones lead)."""
    mine = memberships(user)
    found = [q for q in queues_for(user, mine) if q.code == code]
    if not found:
        raise NotFound("queue", code)
    summary = summaries(user, found, now, mine)[0]
    visible = policy.visible_clause(user, unassigned=True, restricted=mine.restricted)
    ids = _backlog([found[0].id], visible)
    cases = page_of(ids, page, urgency=False, total=summary.unassigned)
    cases.capped = summary.capped  # pages past the cap are not offered
    return QueueView(summary, cases, found[0].id in mine.queue_ids)


@dataclass
class Load:
    officer: User
    open: int = 0
    overdue: int = 0


def officers_in_scope(supervisor: User) -> list[User]:
    query = (
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "officer", User.active.is_(True))
        .order_by(User.name, User.id)
        .distinct()
    )
    provinces = policy.provinces_of(supervisor)
    if provinces is not None:
        query = query.where(UserRole.province_code.in_(provinces))
    return sorted_by(db.session.scalars(query), lambda u: u.name, lang())


def workload(supervisor: User, now: datetime) -> list[Load]:
    """Open and overdue cases per officer (only cases the supervisor may see are counted):
    every officer of her provinces, and every other officer who holds one of those cases."""
    loads = {u.id: Load(u) for u in officers_in_scope(supervisor)}
    late = case((overdue_clause(now), 1), else_=0)
    rows = db.session.execute(
        select(Case.assignee_id, func.count(), func.sum(late))
        .where(Case.assignee_id.is_not(None), Case.closed_at.is_(None))
        .where(Case.state.in_(OPEN_STATES), policy.visible_clause(supervisor))
        .group_by(Case.assignee_id)
    ).all()
    missing = [uid for uid, _n, _late in rows if uid not in loads]
    for user in db.session.scalars(select(User).where(User.id.in_(missing))):
        loads[user.id] = Load(user)
    for user_id, n_open, n_overdue in rows:
        loads[user_id].open, loads[user_id].overdue = n_open, int(n_overdue or 0)
    ordered = sorted_by(loads.values(), lambda x: x.officer.name, lang())
    return sorted(ordered, key=lambda x: (-x.overdue, -x.open))  # stable: by name


@dataclass
class WorkloadView:
    loads: list[Load]
    accesses: list[CaseEvent]  # recent break-glass openings
    designated: bool  # the supervisor's counts include restricted cases


def workload_view(supervisor: User, now: datetime) -> WorkloadView:
    return WorkloadView(
        workload(supervisor, now), break_glass_log(supervisor), policy.is_designated(supervisor)
    )


def break_glass_log(supervisor: User, limit: int = 20) -> list[CaseEvent]:
    """Recent openings of restricted cases with a reason, in the supervisor's provinces."""
    query = (
        select(CaseEvent)
        .join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.kind == "break_glass")
        .options(joinedload(CaseEvent.case), joinedload(CaseEvent.actor))
        .order_by(CaseEvent.created_at.desc(), CaseEvent.id.desc())
    )
    provinces = policy.provinces_of(supervisor)
    if provinces is not None:
        query = query.where(Case.province_code.in_(provinces))
    return list(db.session.scalars(query.limit(limit)).unique())
