"""The rules every filing reads: categories, provinces, queues, SLA policies and closures.

They change a few times a year (an admin edits them) but every new case needs all five, so
each process keeps one snapshot of them instead of reading five tables per filing. The
snapshot is checked once per transaction against `reference_stamp`, a one-row table whose
stamp database triggers (migration 20261204) replace in the same transaction as any change
to those tables, however it is made (admin screens, seeds, psql). A transaction therefore
sees a change made in another process from its next transaction on, and one made in this
process (through the ORM, as every screen does) at once.

The stamp is random, not a counter: a snapshot loaded inside a transaction that later
rolled back (a test, a failed admin save) must never match the stamp of a later change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, event, select
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from grievance.extensions import db
from grievance.khmer.collation import sorted_choices
from grievance.sla.calendar import Closure as CalendarClosure

_SESSION_KEY = "samleng.reference"


class ReferenceStamp(db.Model):  # type: ignore[name-defined]
    """One row; its stamp changes whenever a rules table changes (see the migration)."""

    __tablename__ = "reference_stamp"

    id: Mapped[int] = mapped_column(primary_key=True)
    stamp: Mapped[str] = mapped_column(String(32))


@dataclass(frozen=True)
class Named:
    name_en: str
    name_km: str

    def name(self, lang: str) -> str:
        return self.name_km if lang == "km" else self.name_en


@dataclass(frozen=True)
class CategoryRule(Named):
    id: int
    code: str
    kind: str
    default_priority: str
    active: bool


@dataclass(frozen=True)
class ProvinceRule(Named):
    code: str


@dataclass(frozen=True)
class QueueRule:
    """A queue's routing fields (its members are read live: they change with staffing)."""

    id: int
    code: str
    level: int
    position: int
    province_code: str | None
    category_id: int | None
    kind: str | None
    confidentiality: str | None
    restricted: bool


@dataclass(frozen=True)
class PolicyRule:
    id: int
    kind: str
    category_id: int | None
    priority: str
    version: int
    unit: str
    acknowledge: float
    resolve: float
    escalation: tuple[float, ...]


@dataclass(frozen=True)
class Snapshot:
    stamp: str
    categories: dict[str, CategoryRule]  # by code, inactive ones included
    provinces: dict[str, ProvinceRule]
    queues: tuple[QueueRule, ...]  # active queues, by level, position, id
    policies: tuple[PolicyRule, ...]  # active policies
    closures: tuple[CalendarClosure, ...]

    def category_by_id(self, category_id: int) -> CategoryRule | None:
        return next((c for c in self.categories.values() if c.id == category_id), None)

    def active_category(self, code: str) -> CategoryRule | None:
        category = self.categories.get(code)
        return category if category is not None and category.active else None

    # Sorted once per snapshot and language (collation keys cost a form request time).
    _sorted: dict[tuple[str, str], tuple[tuple[str, str], ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def category_choices(self, lang: str) -> list[tuple[str, str]]:
        """Active categories in the reader's alphabetical order, "other" last."""
        found = self._sorted.get(("categories", lang))
        if found is None:
            active = ((c.code, c.name(lang)) for c in self.categories.values() if c.active)
            found = self._sorted[("categories", lang)] = tuple(
                sorted_choices(active, lang, last=("other",))
            )
        return list(found)

    def province_choices(self, lang: str) -> list[tuple[str, str]]:
        found = self._sorted.get(("provinces", lang))
        if found is None:
            pairs = ((p.code, p.name(lang)) for p in self.provinces.values())
            found = self._sorted[("provinces", lang)] = tuple(sorted_choices(pairs, lang))
        return list(found)


# One snapshot per database (the test suite runs apps on several): {url: snapshot}.
_snapshots: dict[str, Snapshot] = {}
_changes = [0]  # flushes in this process that changed a rules table


def current() -> Snapshot:
    """The rules in force, read once per transaction (one indexed row): a transaction keeps
    the rules it first saw, as it would under REPEATABLE READ, except for changes made in
    this process, which every transaction sees at once."""
    session = db.session()
    transaction = session.get_transaction()
    seen: tuple[tuple[Any, int], Snapshot] | None = session.info.get(_SESSION_KEY)
    if seen and seen[0] == (transaction, _changes[0]) and not _changes_rules(session):
        return seen[1]
    return seen_stamp(db.session.scalar(_STAMP))


# Built once, as a plain table read: the first statement of most transactions.
_STAMP = select(ReferenceStamp.__table__.c.stamp).where(ReferenceStamp.__table__.c.id == 1)


def stamp_column() -> Any:
    """The stamp as a column, for a page's first SELECT to read it along with its own row
    (one round trip instead of two); hand what it read to `seen_stamp`."""
    return select(ReferenceStamp.stamp).where(ReferenceStamp.id == 1).scalar_subquery()


def seen_stamp(stamp: str | None) -> Snapshot:
    """The snapshot for the stamp this transaction has just read, kept for the rest of it
    (as `current` keeps it)."""
    stamp = stamp or ""
    session = db.session()
    key = str(session.get_bind().engine.url)
    snapshot = _snapshots.get(key)
    if snapshot is None or snapshot.stamp != stamp or not stamp:
        snapshot = _load(stamp)
        _snapshots[key] = snapshot
    # The read above may have begun the transaction: key the snapshot to the one now open.
    session.info[_SESSION_KEY] = ((session.get_transaction(), _changes[0]), snapshot)
    return snapshot


_RULE_TABLES = frozenset({"categories", "provinces", "queues", "sla_policies", "closures"})


def _changes_rules(session: Session) -> bool:
    changed = (*session.new, *session.dirty, *session.deleted)
    return any(getattr(obj, "__tablename__", "") in _RULE_TABLES for obj in changed)


@event.listens_for(Session, "before_flush")
def _forget_on_change(session: Session, *_: Any) -> None:
    """A change to the rules made in this process makes every transaction read the stamp
    again, not only the changing one: a job or a test may look on from another session."""
    if _changes_rules(session):
        _changes[0] += 1


@event.listens_for(Session, "do_orm_execute")
def _forget_on_bulk_change(state: ORMExecuteState) -> None:
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in _RULE_TABLES:
            _changes[0] += 1


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, *_: Any) -> None:
    # A savepoint rolled back keeps the outer transaction, but may have undone a change.
    _changes[0] += 1


def _load(stamp: str) -> Snapshot:
    from grievance.cases.models import Category, Province
    from grievance.queues.models import Queue
    from grievance.sla.models import Closure, SlaPolicy

    queues = db.session.scalars(
        select(Queue).where(Queue.active.is_(True)).order_by(Queue.level, Queue.position, Queue.id)
    )
    policies = db.session.scalars(select(SlaPolicy).where(SlaPolicy.active.is_(True)))
    return Snapshot(
        stamp=stamp,
        categories={c.code: _category(c) for c in db.session.scalars(select(Category))},
        provinces={
            p.code: ProvinceRule(code=p.code, name_en=p.name_en, name_km=p.name_km)
            for p in db.session.scalars(select(Province))
        },
        queues=tuple(_queue(q) for q in queues),
        policies=tuple(_policy(p) for p in policies),
        closures=tuple(_closure(c) for c in db.session.scalars(select(Closure))),
    )


def _category(c: Any) -> CategoryRule:
    return CategoryRule(
        id=c.id, code=c.code, kind=c.kind, default_priority=c.default_priority,
        active=bool(c.active), name_en=c.name_en, name_km=c.name_km,
    )  # fmt: skip


def _queue(q: Any) -> QueueRule:
    return QueueRule(
        id=q.id, code=q.code, level=q.level, position=q.position, province_code=q.province_code,
        category_id=q.category_id, kind=q.kind, confidentiality=q.confidentiality,
        restricted=bool(q.restricted),
    )  # fmt: skip


def _policy(p: Any) -> PolicyRule:
    return PolicyRule(
        id=p.id, kind=p.kind, category_id=p.category_id, priority=p.priority, version=p.version,
        unit=p.unit, acknowledge=p.acknowledge, resolve=p.resolve,
        escalation=tuple(float(t) for t in (p.escalation or [])),
    )  # fmt: skip


def _closure(c: Any) -> CalendarClosure:
    return CalendarClosure(
        start=c.start_date,
        end=c.end_date,
        provinces=frozenset(c.provinces) if c.provinces else None,
        reason=c.reason,
    )
