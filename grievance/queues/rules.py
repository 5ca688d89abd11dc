"""Editing queues: routing rules, members, automatic assignment.

Supervisors edit the queues of their provinces (nationwide supervisors: every ordinary
queue); restricted queues, whose members may open every restricted case, only admins.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from grievance.auth.models import User, UserRole
from grievance.cases import policy
from grievance.errors import Conflict, DomainError, Forbidden, NotFound
from grievance.extensions import db
from grievance.i18n import lang
from grievance.khmer import sorted_by
from grievance.queues.models import Queue


@dataclass
class QueueRules:
    code: str
    name_en: str
    name_km: str
    position: int = 100
    level: int = 0
    province_code: str | None = None
    category_id: int | None = None
    kind: str | None = None
    confidentiality: str | None = None
    restricted: bool = False
    auto_assign: bool = False
    active: bool = True
    member_ids: list[int] = field(default_factory=list)


def can_edit(user: User, queue: Queue | None, rules: QueueRules | None = None) -> bool:
    """Admins edit any queue of their scope, restricted ones too; supervisors the
    unrestricted queues of their provinces. Nationwide roles cover every province."""
    restricted = bool(queue and queue.restricted) or bool(rules and rules.restricted)
    provinces = policy.provinces_of(user)
    wanted = [queue.province_code] if queue is not None else []
    wanted += [rules.province_code] if rules is not None else []
    in_scope = provinces is None or all(p in provinces for p in wanted)
    if user.has_role("admin"):
        return in_scope
    if restricted or not user.has_role("supervisor"):
        return False
    return in_scope


def editable(user: User) -> list[Queue]:
    queues = db.session.scalars(select(Queue).order_by(Queue.level, Queue.position, Queue.id))
    return [q for q in queues if can_edit(user, q)]


def eligible_members() -> list[User]:
    """Staff who can work cases from a queue, by name in the reader's order."""
    rows = db.session.scalars(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role.in_(("officer", "supervisor")), User.active.is_(True))
        .order_by(User.id)
        .distinct()
    )
    return sorted_by(rows, lambda u: u.name, lang())


def save_queue(queue: Queue | None, rules: QueueRules, actor: User) -> Queue:
    """Create (queue None) or change a queue. Flushes; the caller commits."""
    if not can_edit(actor, queue, rules):
        raise Forbidden("queue")
    if rules.confidentiality == "restricted" and not rules.restricted:
        raise DomainError("restricted_needs_restricted_queue")
    if rules.level not in (0, 1, 2):
        raise DomainError("level")
    taken = db.session.scalar(select(Queue.id).where(Queue.code == rules.code))
    if taken is not None and (queue is None or taken != queue.id):
        raise Conflict("code_taken", rules.code)
    members = _members(rules.member_ids)
    if queue is None:
        queue = Queue(code=rules.code)
        db.session.add(queue)
    queue.code = rules.code
    queue.name_en, queue.name_km = rules.name_en, rules.name_km
    queue.position, queue.level = rules.position, rules.level
    queue.province_code, queue.category_id = rules.province_code, rules.category_id
    queue.kind, queue.confidentiality = rules.kind, rules.confidentiality
    queue.restricted, queue.auto_assign, queue.active = (
        rules.restricted,
        rules.auto_assign,
        rules.active,
    )
    queue.members = list(members)
    db.session.flush()
    return queue


def _members(ids: list[int]) -> list[User]:
    allowed = {u.id: u for u in eligible_members()}
    unknown = [i for i in ids if i not in allowed]
    if unknown:
        raise NotFound("user", ",".join(map(str, unknown)))
    return [allowed[i] for i in ids]
