"""Who may see and work on which case. Checked on every object a staff view touches."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, false, or_, select, true

from grievance.auth.models import User
from grievance.cases.models import Case, CaseEvent
from grievance.extensions import db
from grievance.queues.models import Queue, queue_members
from grievance.types import utcnow

CASE_ROLES = ("intake", "officer", "supervisor", "admin")
# A reason given to open a restricted case ("break glass") opens it for this long.
BREAK_GLASS_FOR = timedelta(hours=1)


def provinces_of(user: User) -> set[str] | None:
    """Provinces the user's case roles cover; None means nationwide."""
    scopes: set[str | None] = set()
    for role in CASE_ROLES:
        scopes |= user.provinces_for(role)
    if None in scopes:
        return None
    return {p for p in scopes if p is not None}


# Provinces whose restricted cases someone is designated for: None nationwide, {} none.
RestrictedScope = set[str] | None


def restricted_provinces(user: User) -> RestrictedScope:
    """Provinces whose restricted cases the user is designated for: she is a member of an
    active restricted queue serving them (a queue without a province serves the nation)."""
    rows = db.session.scalars(
        select(Queue.province_code)
        .join(queue_members, queue_members.c.queue_id == Queue.id)
        .where(
            Queue.restricted.is_(True),
            Queue.active.is_(True),
            queue_members.c.user_id == user.id,
        )
    ).all()
    return scope_of(rows)


def scope_of(queue_provinces: Iterable[str | None]) -> RestrictedScope:
    """The restricted scope given by membership of restricted queues serving these provinces."""
    codes = list(queue_provinces)
    if None in codes:
        return None
    return {p for p in codes if p is not None}


def is_designated(user: User) -> bool:
    """Designated for the restricted cases of at least one province."""
    return restricted_provinces(user) != set()


def designated_for(user: User, province_code: str, scope: RestrictedScope | bool = False) -> bool:
    provinces = restricted_provinces(user) if scope is False else scope
    return provinces is None or (isinstance(provinces, set) and province_code in provinces)


def in_scope(user: User, case: Case) -> bool:
    provinces = provinces_of(user)
    return provinces is None or case.province_code in provinces


def can_view(user: User, case: Case) -> bool:
    if not user.has_role(*CASE_ROLES):
        return False
    if case.assignee_id == user.id:
        return True
    if case.confidentiality == "restricted":
        if designated_for(user, case.province_code):
            return True
        return in_scope(user, case) and has_grant(user, case)
    return in_scope(user, case)


def may_break_glass(user: User, case: Case) -> bool:
    """Staff who could open the case but for its restriction may, by giving a reason."""
    return (
        case.confidentiality == "restricted"
        and user.has_role(*CASE_ROLES)
        and in_scope(user, case)
        and not can_view(user, case)
    )


def has_grant(user: User, case: Case, now: datetime | None = None) -> bool:
    """The timeline is the record of break-glass access, so it is also the grant."""
    since = (now or utcnow()) - BREAK_GLASS_FOR
    query = select(CaseEvent.id).where(
        CaseEvent.case_id == case.id,
        CaseEvent.kind == "break_glass",
        CaseEvent.actor_id == user.id,
        CaseEvent.created_at >= since,
    )
    return db.session.scalar(query.limit(1)) is not None


def visible_clause(
    user: User, *, unassigned: bool = False, restricted: RestrictedScope | bool = False
) -> ColumnElement[bool]:
    """`can_view` as SQL, for lists, counts and searches (break-glass grants left out:
    a restricted case opened with a reason never shows up in anyone's lists). With
    `unassigned`, for cases known to have no officer, the assignee test is left out too.
    `restricted` saves the query when the caller already knows `restricted_provinces(user)`."""
    provinces = provinces_of(user)
    normal = true() if provinces is None else Case.province_code.in_(provinces)
    scope = restricted_provinces(user) if restricted is False else restricted
    if scope is None:
        designated: ColumnElement[bool] = true()
    elif isinstance(scope, set) and scope:
        designated = Case.province_code.in_(sorted(scope))
    else:
        designated = false()
    if not unassigned:
        designated = or_(designated, Case.assignee_id == user.id)
    clause = or_(
        and_(Case.confidentiality != "restricted", normal),
        and_(Case.confidentiality == "restricted", designated),
    )
    return clause if unassigned else or_(Case.assignee_id == user.id, clause)


def can_see_identity(user: User, case: Case) -> bool:
    """Confidential and restricted complainants are known only to the assigned officer."""
    if case.confidentiality == "normal":
        return can_view(user, case)
    return case.assignee_id == user.id
