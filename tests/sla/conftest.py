"""Helpers for the SLA tests: Phnom Penh times, cases filed at a given moment, a job recorder."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from grievance.auth.models import User
from grievance.cases import transitions
from grievance.cases.models import Case, CaseEvent
from grievance.cases.services import PersonData
from grievance.extensions import db
from grievance.sla.calendar import PHNOM_PENH
from tests.conftest import Released
from tests.factories import make_case, make_user


def pp(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Phnom Penh wall-clock time."""
    return datetime(year, month, day, hour, minute, tzinfo=PHNOM_PENH)


def file_at(at: datetime, **fields: Any) -> Case:
    """A normal-priority complaint (a pension) filed at `at`, its complainant reachable."""
    fields.setdefault("category_code", "pension")
    fields.setdefault("description", "My pension has not been paid for three months.")
    fields.setdefault("complainant", PersonData(phone="+85512345678", consent_to_contact=True))
    return make_case(at=at, **fields).case


def officer(province: str | None = None) -> User:
    return make_user("officer", province=province)


def supervisor(province: str | None = None) -> User:
    return make_user("supervisor", province=province)


def take_to_work(case: Case, user: User, at: datetime) -> None:
    """submitted -> acknowledged -> assigned -> in_progress, all at `at`."""
    boss = transitions.Actor(id=None, roles=frozenset({"supervisor"}))
    transitions.apply(case, "acknowledge", boss, at=at)
    transitions.apply(case, "assign", boss, {"assignee_id": user.id}, at=at)
    transitions.apply(case, "start_work", transitions.actor_for(user), at=at)


def timeline(case: Case, *kinds: str) -> list[CaseEvent]:
    query = select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)
    rows = list(db.session.scalars(query))
    return [e for e in rows if not kinds or e.kind in kinds]


def reload(case: Case) -> Case:
    db.session.expire_all()
    fresh = db.session.get(Case, case.id)
    assert fresh is not None
    return fresh


@pytest.fixture(autouse=True)
def _record_jobs(recorded_jobs: Released) -> None:
    """Jobs released by commits are recorded (the `recorded_jobs` list), not sent or run."""
