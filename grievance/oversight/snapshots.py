"""The dashboard's pre-computed figures: refreshed by a periodic job or `flask stats refresh`.

Pages read one snapshot row (one primary-key lookup) instead of aggregating a million
cases per request, and never write; each page says when its figures were computed. On
every scheduler tick `refresh_if_stale_job` recomputes figures older than MAX_AGE.
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
LISTING = "open311_cells"
STATE_TIMES = "state_times"
MAX_AGE = timedelta(minutes=15)


def refresh(now: datetime | None = None) -> StatsSnapshot:
    """Recompute every figure now. Flushes; the caller's boundary commits."""
    started = time.monotonic()
    cal = working_calendar()
    workdays.ensure(cal)
    figures = aggregates.compute(cal, now)
    row = db.session.get(StatsSnapshot, NAME)
    if row is None:
        row = StatsSnapshot(name=NAME)
        db.session.add(row)
    row.data = {"dims": figures}
    # Open311's cells in a row of their own: thousands of them, which the dashboard's
    # one-row read should not carry.
    cells = db.session.get(StatsSnapshot, LISTING)
    if cells is None:
        cells = StatsSnapshot(name=LISTING)
        db.session.add(cells)
    cells.data = {"cells": aggregates.listing_cells(cal)}
    # Time in each state: for the oversight page and open data, not the public dashboard.
    stays = db.session.get(StatsSnapshot, STATE_TIMES)
    if stays is None:
        stays = StatsSnapshot(name=STATE_TIMES)
        db.session.add(stays)
    stays.data = aggregates.state_times(cal)
    cells.generated_at = row.generated_at = stays.generated_at = now or utcnow()
    row.took_ms = int((time.monotonic() - started) * 1000)
    db.session.flush()
    return row


@jobs.job(queue="default")
def refresh_if_stale_job() -> bool:
    """On every scheduler tick: recompute the figures once they are older than MAX_AGE."""
    if not is_stale(latest()):
        return False
    refresh()
    return True


def latest() -> StatsSnapshot | None:
    row = db.session.get(StatsSnapshot, NAME)
    return row if row is not None and row.generated_at is not None else None


def is_stale(row: StatsSnapshot | None, now: datetime | None = None) -> bool:
    if row is None or row.generated_at is None:
        return True
    return (now or utcnow()) - row.generated_at >= MAX_AGE


def listing() -> list[list[Any]]:
    """The cells Open311's public list is drawn from (aggregates.listing_cells), computed
    with the latest figures."""
    row = db.session.get(StatsSnapshot, LISTING)
    if row is None:
        return []
    cells: list[list[Any]] = row.data.get("cells", [])
    return cells


def state_times() -> dict[str, dict[str, dict[str, Any]]]:
    """How long cases stay in each state (aggregates.state_times), as of the latest figures."""
    row = db.session.get(StatsSnapshot, STATE_TIMES)
    return {} if row is None else dict(row.data)


def figures(row: StatsSnapshot | None) -> dict[str, dict[str, dict[str, Any]]]:
    if row is None:
        return {}
    dims: dict[str, dict[str, dict[str, Any]]] = row.data.get("dims", {})
    return dims
