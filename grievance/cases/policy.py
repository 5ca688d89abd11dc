"""Who may see and work on which case. Checked on every object a staff view touches."""

from __future__ import annotations

from sqlalchemy import select

from grievance.auth.models import User
from grievance.cases.models import Case
from grievance.extensions import db
from grievance.queues.models import Queue, queue_members

CASE_ROLES = ("intake", "officer", "supervisor", "admin")


def provinces_of(user: User) -> set[str] | None:
    """Provinces the user's case roles cover; None means nationwide."""
    scopes: set[str | None] = set()
    for role in CASE_ROLES:
        scopes |= user.provinces_for(role)
    if None in scopes:
        return None
    return {p for p in scopes if p is not None}


def is_designated(user: User) -> bool:
    """Members of a restricted queue may open restricted cases."""
    query = (
        select(Queue.id)
        .join(queue_members, queue_members.c.queue_id == Queue.id)
        .where(Queue.restricted.is_(True), queue_members.c.user_id == user.id)
    )
    return db.session.scalar(query.limit(1)) is not None


def can_view(user: User, case: Case) -> bool:
    if not user.has_role(*CASE_ROLES):
        return False
    if case.confidentiality == "restricted":
        return case.assignee_id == user.id or is_designated(user)
    provinces = provinces_of(user)
    return provinces is None or case.province_code in provinces


def can_see_identity(user: User, case: Case) -> bool:
    """Confidential and restricted complainants are known only to the assigned officer."""
    if case.confidentiality == "normal":
        return can_view(user, case)
    return case.assignee_id == user.id
