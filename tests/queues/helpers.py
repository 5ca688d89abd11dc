"""Small builders for the queue tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from grievance.auth.models import User
from grievance.cases import transitions
from grievance.cases.models import Case, Category
from grievance.extensions import db
from grievance.queues.models import Queue
from tests.factories import make_case

SUPERVISOR = transitions.Actor(id=None, roles=frozenset({"supervisor"}))


def queue(code: str) -> Queue:
    found = db.session.scalar(select(Queue).where(Queue.code == code))
    assert found is not None, code
    return found


def category_id(code: str) -> int:
    found = db.session.scalar(select(Category.id).where(Category.code == code))
    assert found is not None, code
    return found


def make_queue(code: str, *, members: list[User] = (), **rules: Any) -> Queue:  # type: ignore[assignment]
    rules.setdefault("name_en", code)
    rules.setdefault("name_km", code)
    made = Queue(code=code, **rules)
    made.members = list(members)
    db.session.add(made)
    db.session.flush()
    return made


def join(user: User, *codes: str) -> None:
    for code in codes:
        found = queue(code)  # held: appending to a collection of a collected object fails
        found.members.append(user)
    db.session.flush()


def acknowledged_case(due: datetime | None = None, **overrides: Any) -> Case:
    """A filed and acknowledged case (routed as usual), optionally with a given deadline."""
    case = make_case(**overrides).case
    transitions.apply(case, "acknowledge", SUPERVISOR)
    if due is not None:
        case.resolve_due_at = due
    db.session.flush()
    return case


def reload(case: Case) -> Case:
    db.session.expire_all()
    fresh = db.session.get(Case, case.id)
    assert fresh is not None
    return fresh
