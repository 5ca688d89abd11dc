"""Running the sweep: by hand (`flask sla sweep`), on a timer, from the scheduler."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from grievance.jobs import runtime
from grievance.jobs import scheduler as timer
from tests.sla.conftest import file_at, officer, pp, reload, take_to_work, timeline


def test_sweep_command(app: Flask) -> None:
    user = officer()
    case = file_at(pp(2025, 12, 1, 8))
    take_to_work(case, user, pp(2025, 12, 1, 8))
    at = (case.resolve_due_at + timedelta(minutes=1)).isoformat()
    runner = app.test_cli_runner()

    first = runner.invoke(args=["sla", "sweep", "--at", at])
    second = runner.invoke(args=["sla", "sweep", "--at", at])

    assert first.exit_code == 0, first.output
    assert "breached: 1, escalated: 1" in first.output
    assert "breached: 0, escalated: 0" in second.output
    assert len(timeline(reload(case), "sla_breach")) == 1


def test_audit_command(app: Flask) -> None:
    case = file_at(pp(2026, 12, 7, 8))
    result = app.test_cli_runner().invoke(args=["sla", "audit", case.reference])
    assert result.exit_code == 0, result.output
    assert "acknowledge" in result.output and "matches" in result.output
    assert "DIFFERS" not in result.output


def test_no_timer_under_test_or_with_redis(app: Flask) -> None:
    config = app.config["SAMLENG"]
    config.SLA_TIMER = True
    try:
        assert timer.timer_wanted(app) is False  # testing
        app.testing = False
        saved, config.REDIS_URL = config.REDIS_URL, "redis://example"
        assert timer.timer_wanted(app) is False  # Redis mode: `flask scheduler` instead
        config.REDIS_URL = ""
        assert timer.timer_wanted(app) is True  # a WSGI server, no command line
    finally:
        app.testing, config.SLA_TIMER, config.REDIS_URL = True, False, saved


def test_a_timer_tick_sweeps_and_commits(app: Flask) -> None:
    # Embedded mode: one tick in its own app context, as the timer thread does it.
    result = timer.run_once(app)["grievance.sla.sweep.sweep_job"]
    assert result is not None and result["skipped"] is False


def test_scheduler_queues_at_most_one_waiting_sweep(app: Flask, rq_jobs: runtime.RQRunner) -> None:
    assert timer.tick(app) == "queued"
    assert timer.tick(app) == "already queued"
    queue = rq_jobs.queue("sla")
    assert queue.count == 1
    assert queue.jobs[0].args == ("grievance.sla.sweep.sweep_job",)


def test_scheduler_also_queues_the_outbox_sweep_at_most_once(
    app: Flask, rq_jobs: runtime.RQRunner
) -> None:
    # A send job lost with Redis is re-driven by the relay's sweep on every tick
    # (tests/faults/test_lost_work.py shows it end to end).
    timer.tick(app)
    timer.tick(app)
    assert [j.args for j in rq_jobs.queue("notifications").jobs] == [
        ("notifications.relay.sweep_job",),
        ("notifications.digest.weekly_digest_job",),
    ]
