"""Admin use cases: office closures, public holidays to show, versioned SLA policies.

A closure changes the working calendar, so open cases whose deadlines fall on or after it
get their deadlines re-derived (a job, on the "sla" queue: there may be many).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, or_, select

from grievance.cases import events
from grievance.cases.models import Case, Category, Province
from grievance.domain import KINDS, PRIORITIES
from grievance.errors import Conflict, DomainError, Forbidden, NotFound
from grievance.extensions import db
from grievance.jobs import enqueue, job
from grievance.sla import clocks, services
from grievance.sla.models import Closure, SlaPolicy
from grievance.types import utcnow
from workflows import WORKFLOWS

MAX_CLOSURE_DAYS = 366
MAX_TARGET = 365.0


def managed_provinces(user: Any) -> set[str] | None:
    """The provinces an admin manages; None: nationwide."""
    scopes = user.provinces_for("admin")
    return None if None in scopes else {p for p in scopes if p}


def check_policy_editor(user: Any) -> None:
    """Deadline policies apply to the whole country: only nationwide admins change them."""
    if managed_provinces(user) is not None:
        raise Forbidden("nationwide_admins_only")


# -- closures -----------------------------------------------------------------------------


def add_closure(
    start: date,
    end: date,
    provinces: Iterable[str],
    reason: str,
    *,
    actor_id: int | None,
    within: set[str] | None = None,
) -> Closure:
    """A closure of the whole country (no provinces) or of some provinces. `within`: the
    provinces the admin manages (None: nationwide); a provincial admin closes only those."""
    reason = (reason or "").strip()
    codes = sorted(set(provinces))
    if not _covers(within, codes):
        raise DomainError("closure_out_of_scope", ",".join(codes) or "national")
    if end < start:
        raise DomainError("closure_dates", f"{start}..{end}")
    if (end - start).days >= MAX_CLOSURE_DAYS:
        raise DomainError("closure_too_long", f"{start}..{end}")
    if not reason:
        raise DomainError("reason_required")
    known = set(db.session.scalars(select(Province.code).where(Province.code.in_(codes))))
    if unknown := set(codes) - known:
        raise DomainError("unknown_province", ",".join(sorted(unknown)))
    closure = Closure(
        start_date=start, end_date=end, provinces=codes, reason=reason, created_by_id=actor_id
    )
    db.session.add(closure)
    db.session.flush()
    _recompute_later(start, codes)
    return closure


def _covers(within: set[str] | None, codes: Sequence[str]) -> bool:
    """Whether an admin managing `within` (None: nationwide) may manage a closure of
    `codes` (empty: the whole country)."""
    return within is None or (bool(codes) and set(codes) <= within)


def remove_closure(closure_id: int, *, within: set[str] | None = None) -> None:
    closure = db.session.get(Closure, closure_id)
    if closure is None or not _covers(within, closure.provinces or []):
        raise NotFound("closure", str(closure_id))
    start, codes = closure.start_date, list(closure.provinces or [])
    db.session.delete(closure)
    db.session.flush()
    _recompute_later(start, codes)


def closures(today: date) -> tuple[list[Closure], list[Closure]]:
    """(current and upcoming, past) closures."""
    rows = list(db.session.scalars(select(Closure).order_by(Closure.start_date.desc())))
    coming = sorted((c for c in rows if c.end_date >= today), key=lambda c: c.start_date)
    return coming, [c for c in rows if c.end_date < today]


def _recompute_later(start: date, provinces: Sequence[str]) -> None:
    enqueue(recompute_deadlines_job, start.isoformat(), ",".join(provinces))


@job(queue="sla")
def recompute_deadlines_job(start: str, provinces: str) -> int:
    """Re-derive the deadlines of open cases that a closure from `start` may move."""
    return recompute_open_deadlines(
        date.fromisoformat(start), [p for p in provinces.split(",") if p]
    )


def recompute_open_deadlines(start: date, provinces: Sequence[str], batch: int = 500) -> int:
    """Re-derive deadlines of open cases (in `provinces`, or all when empty) with a
    deadline on or after `start`. Returns how many cases' deadlines moved."""
    calendar = clocks.working_calendar()
    since = datetime.combine(start, time.min, tzinfo=calendar.tz)
    open_states = sorted({s.name for wf in WORKFLOWS.values() for s in wf.states if not s.final})
    query = select(Case.id).where(
        Case.state.in_(open_states),
        or_(Case.ack_due_at >= since, Case.resolve_due_at >= since),
    )
    if provinces:
        query = query.where(Case.province_code.in_(provinces))
    ids = list(db.session.scalars(query.order_by(Case.id)))
    moved = 0
    now = utcnow()
    with clocks.calendar_scope(calendar):
        for first in range(0, len(ids), batch):
            chunk = select(Case).where(Case.id.in_(ids[first : first + batch]))
            for case in db.session.scalars(chunk.with_for_update(of=Case)):
                if services.recompute(case, now, calendar):
                    moved += 1
                    events.record(
                        case,
                        "clock",
                        actor_id=None,
                        actor_role="system",
                        data={"action": "recalculate", "reason": "closures changed"},
                        at=now,
                    )
            db.session.flush()
    return moved


# -- public holidays ----------------------------------------------------------------------


@dataclass(frozen=True)
class Holiday:
    day: date
    name_km: str
    name_en: str


def upcoming_holidays(today: date, days: int = 365) -> list[Holiday]:
    calendar = clocks.working_calendar()
    found = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        english = calendar.holiday_name(day, "en")
        if english is not None:
            found.append(Holiday(day, calendar.holiday_name(day, "km") or english, english))
    return found


# -- policies -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyData:
    unit: str
    acknowledge: float
    resolve: float
    escalation: list[float]


def _check(data: PolicyData) -> None:
    if data.unit not in ("days", "hours"):
        raise DomainError("unknown_unit", data.unit)
    targets = [data.acknowledge, data.resolve, *data.escalation]
    if any(not 0 < t <= MAX_TARGET * (10 if data.unit == "hours" else 1) for t in targets):
        raise DomainError("bad_target")
    if data.acknowledge > data.resolve:
        raise DomainError("acknowledge_after_resolve")


def active_policies() -> list[SlaPolicy]:
    return list(
        db.session.scalars(
            select(SlaPolicy)
            .where(SlaPolicy.active.is_(True))
            .order_by(SlaPolicy.kind, SlaPolicy.category_id.is_not(None), SlaPolicy.category_id)
        )
    )


def revise_policy(policy_id: int, data: PolicyData, actor: Any) -> SlaPolicy:
    """A new version of the policy; the old one stays (cases started under it keep it)."""
    check_policy_editor(actor)
    _check(data)
    old = db.session.get(SlaPolicy, policy_id, with_for_update=True)
    if old is None:
        raise NotFound("policy", str(policy_id))
    if not old.active:
        raise Conflict("policy_replaced", str(policy_id))
    old.active = False
    new = SlaPolicy(
        kind=old.kind,
        category_id=old.category_id,
        priority=old.priority,
        version=_next_version(old.kind, old.category_id, old.priority),
        **vars(data),
    )
    db.session.add(new)
    db.session.flush()
    return new


def create_policy(
    category_id: int | None, kind: str, priority: str, data: PolicyData, actor: Any
) -> SlaPolicy:
    """A policy for one category (or a kind's default) and priority that has none yet."""
    check_policy_editor(actor)
    _check(data)
    if priority not in PRIORITIES or kind not in KINDS:
        raise DomainError("unknown_priority", priority)
    if category_id is not None:
        category = db.session.get(Category, category_id)
        if category is None:
            raise NotFound("category", str(category_id))
        kind = category.kind
    exists = select(SlaPolicy.id).where(
        SlaPolicy.active.is_(True),
        SlaPolicy.kind == kind,
        SlaPolicy.priority == priority,
        SlaPolicy.category_id.is_(None)
        if category_id is None
        else SlaPolicy.category_id == category_id,
    )
    if db.session.scalar(exists) is not None:
        raise Conflict("policy_exists", f"{kind}/{category_id}/{priority}")
    policy = SlaPolicy(
        kind=kind,
        category_id=category_id,
        priority=priority,
        version=_next_version(kind, category_id, priority),
        **vars(data),
    )
    db.session.add(policy)
    db.session.flush()
    return policy


def _next_version(kind: str, category_id: int | None, priority: str) -> int:
    same = (
        SlaPolicy.category_id.is_(None)
        if category_id is None
        else SlaPolicy.category_id == category_id
    )
    latest = db.session.scalar(
        select(func.max(SlaPolicy.version)).where(
            SlaPolicy.kind == kind, SlaPolicy.priority == priority, same
        )
    )
    return int(latest or 0) + 1
