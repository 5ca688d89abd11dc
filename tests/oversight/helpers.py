"""Helpers for oversight tests: cases in a chosen state with chosen times."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from grievance.cases.models import Case
from grievance.cases.services import NewCase, PersonData, file_case
from grievance.extensions import db
from grievance.oversight import snapshots
from grievance.uow import checkpoint as commit

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 09:00 in Phnom Penh


def case_in(state: str = "submitted", *, at: datetime = T0, **fields: Any) -> Case:
    """A filed case moved straight to `state` with the given columns (no workflow run:
    these tests are about figures, not transitions)."""
    person = fields.pop("complainant", PersonData(phone="+85512345678", sex="female"))
    data = NewCase(
        category_code=fields.pop("category_code", "contributions"),
        province_code=fields.pop("province_code", "KH-12"),
        description=fields.pop("description", "The factory deducts NSSF money but never pays."),
        channel=fields.pop("channel", "web"),
        complainant=person,
        confidentiality=fields.pop("confidentiality", "normal"),
        forum_id=fields.pop("forum_id", None),
    )
    case = file_case(data, at=at).case
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
