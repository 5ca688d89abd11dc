"""Jobs leave only after the transaction that asked for them commits, in both modes."""

from __future__ import annotations

import pytest
from flask import Flask

from grievance import jobs, uow
from grievance.cases.models import Case
from grievance.extensions import db
from grievance.jobs import runtime
from tests.conftest import work_off
from tests.factories import make_case

RAN: list[tuple[int, str]] = []


@jobs.job(queue="default")
def note_case_state(case_id: int) -> None:
    case = db.session.get(Case, case_id)
    RAN.append((case_id, case.state if case else "missing"))


@pytest.fixture(autouse=True)
def _clear() -> None:
    RAN.clear()


def test_in_process_job_runs_after_commit_not_before(
    app: Flask, jobs_in_process: runtime.InProcessRunner
) -> None:
    with app.test_request_context("/"):
        case = make_case().case
        jobs.enqueue(note_case_state, case.id)
        assert RAN == []  # held while the transaction is open
        uow.checkpoint()
        assert RAN == [(case.id, case.state)]


def test_in_process_job_of_a_rolled_back_request_never_runs(
    app: Flask, jobs_in_process: runtime.InProcessRunner
) -> None:
    with app.test_request_context("/"):
        case = make_case().case
        jobs.enqueue(note_case_state, case.id)
        uow.discard()
        uow.checkpoint()  # a later commit must not release the dropped job
        assert RAN == []


def test_unregistered_function_is_refused(app: Flask) -> None:
    with app.test_request_context("/"), pytest.raises(ValueError):
        jobs.enqueue(print, 1)


def test_rq_job_is_queued_only_after_commit_and_runs_in_a_worker(
    app: Flask, rq_jobs: runtime.RQRunner
) -> None:
    with app.test_request_context("/"):
        case = make_case().case
        jobs.enqueue(note_case_state, case.id)
        assert rq_jobs.queue("default").count == 0
        uow.checkpoint()
        assert rq_jobs.queue("default").count == 1
        work_off(rq_jobs, "default")
        assert RAN == [(case.id, case.state)]


def test_rq_job_of_a_rolled_back_request_is_never_queued(
    app: Flask, rq_jobs: runtime.RQRunner
) -> None:
    with app.test_request_context("/"):
        case = make_case().case
        jobs.enqueue(note_case_state, case.id)
        uow.discard()
        uow.checkpoint()
        assert rq_jobs.queue("default").count == 0


def test_a_failed_scheduler_tick_is_logged_and_the_scheduler_goes_on(
    app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from grievance.jobs import scheduler

    def broken(_app: Flask) -> str:
        raise ConnectionError("database away")

    monkeypatch.setattr(scheduler, "tick", broken)
    with caplog.at_level("INFO", logger="grievance.jobs.scheduler"):
        scheduler.serve(app, once=True)  # returns instead of exiting with the error
    assert "outcome=failed_ConnectionError" in caplog.text
