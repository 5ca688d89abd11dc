"""Who may hold a case: the one rule every path that sets an assignee goes through.

Claim, claim-next, assign, reassign, bulk moves, automatic assignment, appeal routing and
the demo seed all end in `transitions.apply`, which calls `require` before it writes an
assignee; lists of officers to choose from are built with `candidates`. A break-glass grant
lets someone *see* a restricted case for a while; it never makes her eligible to hold it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from grievance.auth.models import User, UserRole
from grievance.cases import policy
from grievance.cases.models import Case
from grievance.errors import Forbidden
from grievance.extensions import db
from workflows import WORKFLOWS

OPEN_STATES = frozenset(s for wf in WORKFLOWS.values() for s in wf.open_states())

# Why an officer may not hold a case, most fundamental first (the first that applies wins).
REASONS = (
    "holder_inactive",
    "holder_not_officer",
    "holder_away",
    "holder_out_of_province",
    "holder_not_designated",
    "holder_not_woman",
    "holder_decided_appeal",
)


class NotEligible(Forbidden):
    """`code` is one of REASONS; `detail` names nobody (it may reach logs)."""


def officer_provinces(user: User) -> set[str] | None:
    """Provinces the officer role covers; None means nationwide."""
    scopes = user.provinces_for("officer")
    if None in scopes:
        return None
    return {p for p in scopes if p is not None}


class Holdable(Protocol):
    """What the rule reads of a case (a Case, or a row of counts grouped by these)."""

    province_code: str
    confidentiality: str
    prefers_woman_officer: bool


def why_not(user: User, case: Holdable) -> str | None:
    """None if `user` may hold `case`, else the reason (one of REASONS)."""
    if not user.active:
        return "holder_inactive"
    if not user.has_role("officer"):
        return "holder_not_officer"
    if user.away:
        return "holder_away"
    provinces = officer_provinces(user)
    if provinces is not None and case.province_code not in provinces:
        return "holder_out_of_province"
    if case.confidentiality == "restricted" and not policy.designated_for(user, case.province_code):
        return "holder_not_designated"
    if case.prefers_woman_officer and user.sex != "female":
        return "holder_not_woman"
    if getattr(case, "state", None) == "appealed" and getattr(case, "resolved_by_id", 0) == user.id:
        return "holder_decided_appeal"  # nobody reviews an appeal against her own answer
    return None


def may_hold(user: User, case: Holdable) -> bool:
    return why_not(user, case) is None


def require(user: User | None, case: Case) -> User:
    """Raise NotEligible unless `user` may hold `case`."""
    if user is None:
        raise NotEligible("holder_inactive")
    reason = why_not(user, case)
    if reason is not None:
        raise NotEligible(reason, case.reference)
    return user


@dataclass(frozen=True)
class Candidate:
    user: User
    open_cases: int

    @property
    def has_room(self) -> bool:
        return self.open_cases < self.user.capacity


def open_load(user_ids: Iterable[int]) -> dict[int, int]:
    """Open cases per officer."""
    ids = list(user_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Case.assignee_id, func.count())
        .where(Case.assignee_id.in_(ids), Case.state.in_(OPEN_STATES))
        .group_by(Case.assignee_id)
    )
    return {int(uid): int(n) for uid, n in rows}


def candidates(case: Case, *, exclude: Iterable[int] = ()) -> list[Candidate]:
    """Everyone who may hold `case`, least loaded first (then by name)."""
    skip = set(exclude)
    officers = db.session.scalars(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "officer", User.active.is_(True), User.away.is_(False))
        .options(selectinload(User.roles))
        .distinct()
    ).all()
    eligible = [u for u in officers if u.id not in skip and may_hold(u, case)]
    load = open_load(u.id for u in eligible)
    found = [Candidate(u, load.get(u.id, 0)) for u in eligible]
    return sorted(found, key=lambda c: (c.open_cases, c.user.name, c.user.id))
