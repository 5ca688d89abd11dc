"""Figures per employer and health facility, for oversight: complaints in the last 12
months, the open ones, the main categories, the median days to close, systemic cases.

Counts only, never a person. The public variant goes through the disclosure control every
public figure uses (`grievance.oversight.suppression`): entries with fewer than 5
complaints are left out altogether, and a median from fewer than 5 closed cases withheld.
It counts the 12 whole months before this one (`public_period`), so its numbers change
once a month: an employer watching the page cannot tell on which day a worker complained.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from grievance.cases.models import Case, Category
from grievance.extensions import db
from grievance.oversight.suppression import THRESHOLD, Derived, suppress
from grievance.systemic.clusters import parents
from grievance.systemic.models import CaseEntity, Cluster, RegistryEntry
from grievance.types import utcnow

PERIOD = timedelta(days=365)
TOP_CATEGORIES = 3
PUBLIC_MONTHS = 12


@dataclass
class EntryFigures:
    entry: RegistryEntry
    complaints: int = 0
    open: int = 0
    closed: int = 0
    median_days: float | None = None
    systemic: int = 0
    categories: list[tuple[Category, int]] = field(default_factory=list)


def public_period(now: datetime, tz: str) -> tuple[datetime, datetime]:
    """The 12 whole months (in local time, `tz`) before the month of `now`, as UTC times:
    [start, end)."""
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    end = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    months = end.year * 12 + end.month - 1 - PUBLIC_MONTHS
    start = end.replace(year=months // 12, month=months % 12 + 1)
    return start.astimezone(now.tzinfo), end.astimezone(now.tzinfo)


def per_entry(
    now: datetime | None = None,
    limit: int = 100,
    period: tuple[datetime, datetime] | None = None,
) -> list[EntryFigures]:
    """The entries with the most complaints in the last 12 months (or in `period`), most
    first."""
    since, until = period or ((now or utcnow()) - PERIOD, None)
    when = [Case.created_at >= since] + ([Case.created_at < until] if until else [])
    rows = db.session.execute(
        select(CaseEntity.entry_id, Case.category_id, Case.created_at, Case.closed_at)
        .join(Case, Case.id == CaseEntity.case_id)
        .where(*when, Case.id.not_in(parents()))
    ).all()
    cases: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        cases[row.entry_id].append(row)
    top = sorted(cases, key=lambda e: (-len(cases[e]), e))[:limit]
    if not top:
        return []
    entries = {
        e.id: e for e in db.session.scalars(select(RegistryEntry).where(RegistryEntry.id.in_(top)))
    }
    categories = {c.id: c for c in db.session.scalars(select(Category))}
    systemic = Counter(
        db.session.scalars(
            select(Cluster.entry_id).where(
                Cluster.entry_id.in_(top), Cluster.state.in_(("opened", "closed"))
            )
        )
    )
    figures = []
    for entry_id in top:
        mine = cases[entry_id]
        days = [(r.closed_at - r.created_at).total_seconds() / 86400 for r in mine if r.closed_at]
        figures.append(
            EntryFigures(
                entry=entries[entry_id],
                complaints=len(mine),
                open=sum(1 for r in mine if r.closed_at is None),
                closed=len(days),
                median_days=round(statistics.median(days), 1) if days else None,
                systemic=systemic[entry_id],
                categories=[
                    (categories[c], n)
                    for c, n in Counter(r.category_id for r in mine).most_common(TOP_CATEGORIES)
                ],
            )
        )
    return figures


def public_rows(figures: list[EntryFigures], lang: str) -> list[dict[str, Any]]:
    """Rows a public page may show: entries with at least THRESHOLD complaints, their
    counts and a median withheld when fewer than THRESHOLD cases closed. No total row is
    published (the entries below the threshold are not listed), so nothing is derived."""
    shown = [f for f in figures if f.complaints >= THRESHOLD]
    rows = [
        {
            "name": f.entry.name(lang),
            "complaints": f.complaints,
            "closed": f.closed,
            "median_days": f.median_days,
            "systemic": f.systemic,
        }
        for f in shown
    ]
    suppressed, _total = suppress(
        rows, {"complaints": None}, counts=(), derived=[Derived("median_days", "closed")]
    )
    for row in suppressed:
        row.pop("closed")
    return suppressed
