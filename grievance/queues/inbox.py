"""The supervisor's inbox: what waits for her, in the provinces she may see.

Escalations, appeals, rejections to approve (with the officer's reason, which the
complainant will read once approved), withdrawals and merges a colleague asked for,
queues whose cases wait with nobody to take them, and officers over capacity. Each list
is one indexed query, capped at LIMIT rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from grievance.auth.models import User
from grievance.cases import approvals, policy
from grievance.cases.models import ApprovalRequest, Case, CaseEvent
from grievance.extensions import db
from grievance.queues.models import Queue, queue_members
from grievance.queues.overview import Load, workload

LIMIT = 50


@dataclass(frozen=True)
class Rejection:
    case: Case
    reason: str  # the officer's reason: the complainant reads it once approved
    proposed_by: str | None


@dataclass(frozen=True)
class Unstaffed:
    queue: Queue
    waiting: int


@dataclass
class Inbox:
    escalated: list[Case] = field(default_factory=list)
    appeals: list[Case] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    requests: list[ApprovalRequest] = field(default_factory=list)
    unstaffed: list[Unstaffed] = field(default_factory=list)
    over_capacity: list[Load] = field(default_factory=list)

    @property
    def total(self) -> int:
        return (
            len(self.escalated)
            + len(self.appeals)
            + len(self.rejections)
            + len(self.requests)
            + len(self.unstaffed)
            + len(self.over_capacity)
        )


def _in_state(supervisor: User, state: str) -> list[Case]:
    query = (
        select(Case)
        .where(Case.state == state, policy.visible_clause(supervisor))
        .options(selectinload(Case.assignee))
        .order_by(Case.resolve_due_at.asc().nulls_last(), Case.id)
        .limit(LIMIT)
    )
    return list(db.session.scalars(query))


def _rejections(supervisor: User) -> list[Rejection]:
    cases = _in_state(supervisor, "rejection_pending")
    if not cases:
        return []
    proposals = db.session.scalars(
        select(CaseEvent)
        .where(
            CaseEvent.case_id.in_([c.id for c in cases]),
            CaseEvent.kind == "transition",
            CaseEvent.to_state == "rejection_pending",
        )
        .options(selectinload(CaseEvent.actor))
        .order_by(CaseEvent.case_id, CaseEvent.seq)
    )
    last = {e.case_id: e for e in proposals}  # the latest proposal of each case
    found = []
    for case in cases:
        event = last.get(case.id)
        reason = str((event.data or {}).get("reason", "")) if event else ""
        name = event.actor.name if event is not None and event.actor is not None else None
        found.append(Rejection(case, reason, name))
    return found


def _unstaffed(supervisor: User) -> list[Unstaffed]:
    """Active queues of her provinces with open cases waiting and no member to take them."""
    provinces = policy.provinces_of(supervisor)
    has_members = exists().where(queue_members.c.queue_id == Queue.id)
    query = (
        select(Queue, func.count(Case.id))
        .join(Case, Case.queue_id == Queue.id)
        .where(
            Queue.active.is_(True),
            ~has_members,
            Case.assignee_id.is_(None),
            Case.closed_at.is_(None),
            policy.visible_clause(supervisor, unassigned=True),
        )
        .group_by(Queue.id)
        .order_by(Queue.position, Queue.id)
        .limit(LIMIT)
    )
    if provinces is not None:
        query = query.where(Queue.province_code.in_(sorted(provinces)))
    return [Unstaffed(q, int(n)) for q, n in db.session.execute(query)]


def inbox(supervisor: User, now: datetime) -> Inbox:
    return Inbox(
        escalated=_in_state(supervisor, "escalated"),
        appeals=_in_state(supervisor, "appealed"),
        rejections=_rejections(supervisor),
        requests=approvals.waiting_for(supervisor),
        unstaffed=_unstaffed(supervisor),
        over_capacity=[
            load for load in workload(supervisor, now) if load.open > load.officer.capacity
        ],
    )
