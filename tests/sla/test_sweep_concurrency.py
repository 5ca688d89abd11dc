"""Two sweeps at once on PostgreSQL, each in its own committed transaction: no duplicates."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import scoped_session

from grievance.cases import transitions
from grievance.cases.models import Case, CaseEvent
from grievance.sla.models import SlaMark
from grievance.sla.sweep import SweepResult, sweep
from tests.conftest import BACKENDS
from tests.sla.conftest import file_at, pp

pytestmark = pytest.mark.skipif(not BACKENDS.postgres, reason="needs PostgreSQL (CI has it)")
CASES = 6


@pytest.fixture
def real_sessions(committed_sessions: scoped_session) -> scoped_session:  # type: ignore[type-arg]
    return committed_sessions


def _committed_cases(app: Flask, sessions: scoped_session, year: int) -> list[int]:  # type: ignore[type-arg]
    with app.test_request_context():
        ids = [file_at(pp(year, 6, 3, 8)).id for _ in range(CASES)]
        sessions.commit()
        sessions.remove()
    return ids


def _withdraw(app: Flask, sessions: scoped_session, ids: list[int]) -> None:  # type: ignore[type-arg]
    """Committed cases outlive the test: close them so no later sweep finds them."""
    with app.test_request_context():
        for case in sessions.scalars(select(Case).where(Case.id.in_(ids))):
            transitions.apply(case, "withdraw", transitions.COMPLAINANT, {"reason": "test over"})
        sessions.commit()
        sessions.remove()


def _race(
    app: Flask, sessions: scoped_session, work: Callable[[], SweepResult]
) -> list[SweepResult]:  # type: ignore[type-arg]
    """`work` in two threads at once, each in its own request and committed transaction."""
    barrier = threading.Barrier(2)
    results: list[SweepResult] = []
    errors: list[BaseException] = []

    def run() -> None:
        with app.test_request_context():
            try:
                barrier.wait()
                results.append(work())
                sessions.commit()
            except BaseException as error:  # noqa: BLE001  (reported by the test)
                errors.append(error)
                sessions.rollback()
            finally:
                sessions.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return results


def _breaches(sessions: scoped_session, ids: list[int]) -> Counter[tuple[int, str, int]]:  # type: ignore[type-arg]
    rows = sessions.scalars(
        select(CaseEvent).where(CaseEvent.case_id.in_(ids), CaseEvent.kind == "sla_breach")
    )
    return Counter((e.case_id, e.data["clock"], e.data["level"]) for e in rows)


@pytest.mark.parametrize("lock", [True, False], ids=["with-lock", "marks-only"])
def test_two_sweeps_at_once_act_once(app: Flask, real_sessions: scoped_session, lock: bool) -> None:  # type: ignore[type-arg]
    year = 2023 if lock else 2024
    ids = _committed_cases(app, real_sessions, year)
    try:
        now = pp(year, 12, 1) + timedelta(days=1)  # past the resolve deadline of every level
        results = _race(app, real_sessions, lambda: sweep(now, lock=lock))

        counts = _breaches(real_sessions, ids)
        # Each case: acknowledge breach once, resolve breach at levels 0 to 3 once each.
        expected = {
            (i, c, lv)
            for i in ids
            for c, lv in [("acknowledge", 0)] + [("resolve", n) for n in range(4)]
        }
        assert set(counts) == expected
        assert set(counts.values()) == {1}
        assert sum(r.breached for r in results) == 5 * CASES
        if lock:
            assert sorted(r.skipped for r in results) in ([False, True], [False, False])
        for case in real_sessions.scalars(select(Case).where(Case.id.in_(ids))):
            assert case.escalation_level == 3 and case.state == "escalated"
        marks = real_sessions.scalars(select(SlaMark).where(SlaMark.case_id.in_(ids))).all()
        assert len(marks) == 5 * CASES
        # Running again afterwards changes nothing.
        later = now + timedelta(days=3)
        again = _race(app, real_sessions, lambda: sweep(later, lock=lock))
        assert sum(r.breached + r.at_risk for r in again) == 0
    finally:
        _withdraw(app, real_sessions, ids)


def test_one_batch_handled_by_two_workers_at_once_acts_once(
    app: Flask,
    real_sessions: scoped_session,  # type: ignore[type-arg]
) -> None:
    """A batch handed out twice (a job thought lost, then found) and run by two workers
    at the same moment: the row locks make the second wait, then find the marks handled."""
    from grievance.cases.audit import verify
    from grievance.sla.sweep import claim, handle

    ids = _committed_cases(app, real_sessions, 2022)
    try:
        now = pp(2022, 12, 1) + timedelta(days=1)  # past the resolve deadline of every level
        with app.test_request_context():
            claimed = sorted(set(claim(now)))
            real_sessions.commit()
            real_sessions.remove()

        def handled() -> SweepResult:
            result = SweepResult()
            handle(claimed, now, result)
            return result

        results = _race(app, real_sessions, handled)
        counts = _breaches(real_sessions, ids)
        assert len(counts) == 5 * CASES and set(counts.values()) == {1}
        assert sum(r.breached for r in results) == 5 * CASES
        assert sum(r.escalated for r in results) == 3 * CASES
        with app.test_request_context():
            assert list(verify()) == []
            real_sessions.remove()
    finally:
        _withdraw(app, real_sessions, ids)
