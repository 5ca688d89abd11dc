"""The dashboard's pre-computed figures: refreshed by a job or `flask stats refresh`.

Pages read one snapshot row (one primary-key lookup) instead of aggregating a million
cases per request; each page says when its figures were computed. A page that finds the
figures older than MAX_AGE asks for a refresh (at most once per MAX_AGE): in embedded
mode the job runs right after that request's commit, with RQ a worker picks it up.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from grievance import jobs
from grievance.extensions import db
from grievance.oversight import aggregates, workdays
from grievance.oversight.models import StatsSnapshot
from grievance.sla.clocks import working_calendar
from grievance.types import utcnow

NAME = "dashboard"
MAX_AGE = timedelta(minutes=15)


def refresh(now: datetime | None = None) -> StatsSnapshot:
    """Recompute every figure now. Flushes; the caller's boundary commits."""
    started = time.monotonic()
    cal = working_calendar()
    workdays.ensure(cal)
    figures = aggregates.compute(cal)
    row = db.session.get(StatsSnapshot, NAME)
    if row is None:
        row = StatsSnapshot(name=NAME)
        db.session.add(row)
    row.data = {"dims": figures}
    row.generated_at = now or utcnow()
    row.requested_at = None
    row.took_ms = int((time.monotonic() - started) * 1000)
    db.session.flush()
    return row


@jobs.job(queue="default")
def refresh_job() -> None:
    refresh()


def latest() -> StatsSnapshot | None:
    row = db.session.get(StatsSnapshot, NAME)
    return row if row is not None and row.generated_at is not None else None


def needs_refresh(row: StatsSnapshot | None, now: datetime | None = None) -> bool:
    now = now or utcnow()
    if row is not None and row.generated_at and now - row.generated_at < MAX_AGE:
        return False
    asked = row.requested_at if row is not None else None
    return asked is None or now - asked >= MAX_AGE


def request_refresh(now: datetime | None = None) -> None:
    """Mark the figures as asked for and queue the job (released by the caller's commit)."""
    row = db.session.get(StatsSnapshot, NAME)
    if row is None:
        row = StatsSnapshot(name=NAME, data={})
        db.session.add(row)
    row.requested_at = now or utcnow()
    jobs.enqueue(refresh_job)
    db.session.flush()


def figures(row: StatsSnapshot | None) -> dict[str, dict[str, dict[str, Any]]]:
    if row is None:
        return {}
    dims: dict[str, dict[str, dict[str, Any]]] = row.data.get("dims", {})
    return dims
