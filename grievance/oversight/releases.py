"""Monthly open-data releases: kept, listed and downloadable, safe to subtract.

A release for month M is the open data over the cases filed up to the end of M (Phnom
Penh time), with their states as of the day it is written: a cumulative, self-contained
release built by the same disclosure rules as the live files. Releases are written once,
in month order, never rewritten (two versions of one release could be subtracted), and
each is suppressed against every earlier one (suppression.py, rule 4): no count differs
from a value an earlier release published by 1 to 4, and complementary suppression never
relies on hiding a value an earlier release showed. The differencing test checks pairs.

Written by `flask stats release` or by the periodic job on the first tick of a month.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select

from grievance import jobs
from grievance.errors import DomainError
from grievance.extensions import db
from grievance.oversight import aggregates, open_data, workdays
from grievance.oversight.figures import PUBLIC_COUNTS, Published
from grievance.oversight.models import StatsSnapshot
from grievance.sla.clocks import working_calendar
from grievance.types import utcnow

PREFIX = "release:"


def _name(month: str) -> str:
    return f"{PREFIX}{month}"


def last_complete_month(now: datetime | None = None) -> str:
    """The month before the current one, in Phnom Penh time."""
    today = (now or utcnow()).astimezone(working_calendar().tz).date()
    year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    return f"{year:04d}-{month:02d}"


def _month_end(month: str) -> datetime:
    """The first instant after `month`, Phnom Penh time."""
    year, number = int(month[:4]), int(month[5:7])
    year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return datetime.combine(date(year, number, 1), time(), tzinfo=working_calendar().tz)


def months() -> list[tuple[str, datetime | None]]:
    """(month, written at) of every release, newest first."""
    rows = db.session.execute(
        select(StatsSnapshot.name, StatsSnapshot.generated_at)
        .where(StatsSnapshot.name.like(f"{PREFIX}%"))
        .order_by(StatsSnapshot.name.desc())
    )
    return [(name.removeprefix(PREFIX), at) for name, at in rows]


def get(month: str) -> StatsSnapshot | None:
    return db.session.get(StatsSnapshot, _name(month))


def published(before: str) -> Published:
    """Every count the releases before month `before` published, by cell."""
    seen: Published = {}
    rows = db.session.scalars(
        select(StatsSnapshot).where(
            StatsSnapshot.name.like(f"{PREFIX}%"), StatsSnapshot.name < _name(before)
        )
    )
    for row in rows:
        for record in row.data.get("records", []):
            for column in PUBLIC_COUNTS:
                value = record.get(column)
                if isinstance(value, int):
                    cell = f"{record['dimension']}|{record['key']}|{column}"
                    seen.setdefault(cell, set()).add(value)
    return seen


def write(month: str, now: datetime | None = None) -> StatsSnapshot:
    """Write the release of `month` (YYYY-MM, a month that has ended). Flushes; the
    caller commits. Refused if this or a later month was released already."""
    now = now or utcnow()
    if _month_end(month) > now:
        raise DomainError("release_month_not_over")
    latest = months()
    if latest and latest[0][0] >= month:
        raise DomainError("release_exists")
    cal = working_calendar()
    workdays.ensure(cal)
    cutoff = _month_end(month)
    dims = aggregates.compute(cal, now, filed_before=cutoff)
    times = aggregates.state_times(cal, filed_before=cutoff)
    records = open_data.records(dims, times, published(month))
    row = StatsSnapshot(name=_name(month), generated_at=now, data=_body(month, records))
    db.session.add(row)
    db.session.flush()
    return row


def _body(month: str, records: list[dict[str, Any]]) -> dict[str, Any]:
    return {"month": month, "cases_filed_before": _month_end(month).isoformat(), "records": records}


@jobs.job(queue="default")
def release_last_month_job() -> bool:
    """On every scheduler tick: write last month's release once, when it is missing."""
    month = last_complete_month()
    if get(month) is not None or any(m >= month for m, _at in months()):
        return False
    write(month)
    return True
