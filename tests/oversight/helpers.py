"""Helpers for oversight tests: cases in a chosen state with chosen times."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from grievance.cases.models import Case
from grievance.cases.services import NewCase
from grievance.extensions import db
from grievance.oversight import snapshots
from grievance.uow import checkpoint as commit
from tests.factories import make_case

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 09:00 in Phnom Penh
FILING_FIELDS = {f.name for f in dataclasses.fields(NewCase)}  # the rest are set on the filed case


def case_in(state: str = "submitted", *, at: datetime = T0, **fields: Any) -> Case:
    """A filed case moved straight to `state` with the given columns (no workflow run:
    these tests are about figures, not transitions)."""
    filing = {k: fields.pop(k) for k in FILING_FIELDS & fields.keys()}
    filing.setdefault("description", "The factory deducts NSSF money but never pays.")
    case = make_case(at=at, **filing).case
    case.state = state
    for key, value in fields.items():
        setattr(case, key, value)
    db.session.flush()
    return case


def refresh() -> None:
    snapshots.refresh()
    commit()


def run_job(func: Any, *ids: int) -> None:
    """Run a registered job as a worker would (its wrapper commits)."""
    from grievance import jobs

    jobs.execute(f"{func.__module__}.{func.__qualname__}", *ids)
