"""Jobs leave only after the transaction that asked for them commits, in both modes."""

from __future__ import annotations

import pytest
from flask import Flask

from grievance import jobs, uow
from grievance.cases.models import Case
from grievance.extensions import db
from grievance.jobs import runtime
from tests.factories import make_case

RAN: list[tuple[int, str]] = []


@jobs.job(queue="default")
def note_case_state(case_id: int) -> None:
    case = db.session.get(Case, case_id)
    RAN.append((case_id, case.state if case else "missing"))


@pytest.fixture(autouse=True)
def _clear() -> None:
    RAN.clear()


def _in_process(app: Flask) -> runtime.InProcessRunner:
    runner = runtime.InProcessRunner()
    app.extensions["samleng.jobs"] = runner
    return runner


def test_in_process_job_runs_after_commit_not_before(app: Flask) -> None:
    previous = app.extensions["samleng.jobs"]
    _in_process(app)
    try:
        with app.test_request_context("/"):
            case = make_case().case
            jobs.enqueue(note_case_state, case.id)
            assert RAN == []  # held while the transaction is open
            uow.checkpoint()
            assert RAN == [(case.id, case.state)]
    finally:
        app.extensions["samleng.jobs"] = previous


def test_in_process_job_of_a_rolled_back_request_never_runs(app: Flask) -> None:
    previous = app.extensions["samleng.jobs"]
    _in_process(app)
    try:
        with app.test_request_context("/"):
            case = make_case().case
            jobs.enqueue(note_case_state, case.id)
            uow.discard()
            uow.checkpoint()  # a later commit must not release the dropped job
            assert RAN == []
    finally:
        app.extensions["samleng.jobs"] = previous


def test_unregistered_function_is_refused(app: Flask) -> None:
    with app.test_request_context("/"), pytest.raises(ValueError):
        jobs.enqueue(print, 1)


@pytest.fixture
def rq_runner(app: Flask, backends: object) -> runtime.RQRunner:
    url = app.config["SAMLENG"].REDIS_URL
    if not url:
        pytest.skip("Redis not available (optional locally; CI requires it)")
    runner = runtime.RQRunner(url)
    runner.connection.flushdb()
    return runner


def test_rq_job_is_queued_only_after_commit_and_runs_in_a_worker(
    app: Flask, rq_runner: runtime.RQRunner
) -> None:
    from rq import SimpleWorker

    previous = app.extensions["samleng.jobs"]
    app.extensions["samleng.jobs"] = rq_runner
    try:
        with app.test_request_context("/"):
            case = make_case().case
            jobs.enqueue(note_case_state, case.id)
            assert rq_runner.queue("default").count == 0
            uow.checkpoint()
            assert rq_runner.queue("default").count == 1
            SimpleWorker([rq_runner.queue("default")], connection=rq_runner.connection).work(
                burst=True
            )
            assert RAN == [(case.id, case.state)]
    finally:
        app.extensions["samleng.jobs"] = previous
        rq_runner.connection.flushdb()


def test_rq_job_of_a_rolled_back_request_is_never_queued(
    app: Flask, rq_runner: runtime.RQRunner
) -> None:
    previous = app.extensions["samleng.jobs"]
    app.extensions["samleng.jobs"] = rq_runner
    try:
        with app.test_request_context("/"):
            case = make_case().case
            jobs.enqueue(note_case_state, case.id)
            uow.discard()
            uow.checkpoint()
            assert rq_runner.queue("default").count == 0
    finally:
        app.extensions["samleng.jobs"] = previous
