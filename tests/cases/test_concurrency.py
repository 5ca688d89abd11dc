"""Two officers act on one case at once on PostgreSQL: one wins, the other is told."""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import scoped_session

from grievance.cases import transitions
from grievance.cases.models import Case, CaseEvent
from tests.conftest import BACKENDS
from tests.factories import make_case

SUPERVISOR = transitions.Actor(id=None, roles=frozenset({"supervisor"}))
pytestmark = pytest.mark.skipif(not BACKENDS.postgres, reason="needs PostgreSQL (CI has it)")


@pytest.fixture
def real_sessions(committed_sessions: scoped_session) -> scoped_session:  # type: ignore[type-arg]
    return committed_sessions


def test_two_concurrent_transitions_one_wins(app: Flask, real_sessions: scoped_session) -> None:  # type: ignore[type-arg]
    with app.test_request_context():
        case = make_case(category_code="pension", description="Race", complainant=None).case
        case_id, filed_version = case.id, case.version
        real_sessions.commit()
        real_sessions.remove()

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def officer(name: str) -> None:
        with app.test_request_context():
            try:
                case = real_sessions.get(Case, case_id)
                barrier.wait()
                transitions.apply(case, name, SUPERVISOR, {"reason": "race"})
                real_sessions.commit()
                outcomes.append("won")
            except transitions.StaleCase:
                outcomes.append("stale")
            finally:
                real_sessions.remove()

    threads = [threading.Thread(target=officer, args=(n,)) for n in ("acknowledge", "escalate")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["stale", "won"]
    case = real_sessions.get(Case, case_id)
    events = real_sessions.scalar(select(func.count()).where(CaseEvent.case_id == case_id))
    assert case.version > filed_version
    assert events == 2  # filed + exactly one transition: the loser left nothing half-written
    assert case.state in ("acknowledged", "escalated")
