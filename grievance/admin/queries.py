"""Reads for the administration screens: the accounts an administrator manages, the admin
audit log, and queue health (queues nobody works from, queues with more open cases than
their members may hold)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from grievance.admin.accounts import manageable, managed_provinces
from grievance.admin.models import AdminAudit
from grievance.auth.models import User
from grievance.cases.models import Case, Province
from grievance.extensions import db
from grievance.khmer import sorted_by
from grievance.queues.models import Queue, queue_members

AUDIT_PAGE = 100


def accounts_for(actor: User, lang: str) -> list[User]:
    """The accounts an administrator manages (a provincial one: those of their provinces),
    active ones first, by name in the reader's collation."""
    users = [u for u in db.session.scalars(select(User)) if manageable(actor, u)]
    ordered = sorted_by(users, lambda u: u.name, lang)
    return [u for u in ordered if u.active] + [u for u in ordered if not u.active]


def province_names(lang: str) -> dict[str, str]:
    return {p.code: p.name(lang) for p in db.session.scalars(select(Province))}


def audit_entries(actor: User) -> list[AdminAudit]:
    """The newest entries; a provincial administrator reads those about the accounts they
    manage and their own actions."""
    query = select(AdminAudit).order_by(AdminAudit.at.desc(), AdminAudit.id.desc())
    if managed_provinces(actor) is None:
        return list(db.session.scalars(query.limit(AUDIT_PAGE)))
    ids = [u.id for u in db.session.scalars(select(User)) if manageable(actor, u)]
    query = query.where(or_(AdminAudit.actor_id == actor.id, AdminAudit.target_user_id.in_(ids)))
    return list(db.session.scalars(query.limit(AUDIT_PAGE)))


def account_history(user: User) -> list[AdminAudit]:
    return list(
        db.session.scalars(
            select(AdminAudit)
            .where(AdminAudit.target_user_id == user.id)
            .order_by(AdminAudit.at.desc(), AdminAudit.id.desc())
            .limit(AUDIT_PAGE)
        )
    )


@dataclass
class QueueHealth:
    queue: Queue
    members: int  # active members who are not away
    open_cases: int
    capacity: int  # what those members may hold at most, together

    @property
    def no_members(self) -> bool:
        return self.members == 0

    @property
    def over_capacity(self) -> bool:
        return self.members > 0 and self.open_cases > self.capacity


def queue_health(provinces: set[str] | None) -> list[QueueHealth]:
    """Active queues of these provinces (None: all) with no one to work them or more open
    cases than their members may hold; in three grouped statements."""
    query = select(Queue).where(Queue.active.is_(True)).order_by(Queue.level, Queue.position)
    if provinces is not None:
        query = query.where(Queue.province_code.in_(sorted(provinces)))
    queues = list(db.session.scalars(query))
    if not queues:
        return []
    ids = [q.id for q in queues]
    staffed = dict.fromkeys(ids, (0, 0))
    rows = db.session.execute(
        select(queue_members.c.queue_id, func.count(), func.coalesce(func.sum(User.capacity), 0))
        .join(User, User.id == queue_members.c.user_id)
        .where(queue_members.c.queue_id.in_(ids), User.active.is_(True), User.away.is_(False))
        .group_by(queue_members.c.queue_id)
    )
    for queue_id, members, capacity in rows:
        staffed[queue_id] = (int(members), int(capacity))
    load: dict[int, int] = {}
    for queue_id, open_cases in db.session.execute(
        select(Case.queue_id, func.count())
        .where(Case.queue_id.in_(ids), Case.closed_at.is_(None))
        .group_by(Case.queue_id)
    ):
        if queue_id is not None:
            load[queue_id] = int(open_cases)
    found = [
        QueueHealth(q, *staffed[q.id][:1], int(load.get(q.id, 0)), staffed[q.id][1]) for q in queues
    ]
    return [h for h in found if h.no_members or h.over_capacity]
