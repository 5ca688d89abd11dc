"""Running the sweep periodically: a timer thread in embedded mode, `flask scheduler` with
Redis. Either can miss ticks (a restart, a busy worker): the sweep is level-triggered and
idempotent, so the next tick catches up, and duplicates are harmless."""

from __future__ import annotations

import logging
import threading
import time

import click
from flask import Flask

from grievance import jobs
from grievance.sla.sweep import SweepResult, sweep, sweep_job

log = logging.getLogger(__name__)
JOB_ID = "samleng-sla-sweep"


def timer_wanted(app: Flask) -> bool:
    """Embedded mode, asked for (SLA_TIMER), not under test, and serving requests: either
    a WSGI server (no command line) or `flask run`, never `flask db upgrade` and the like."""
    config = app.config["SAMLENG"]
    if not config.SLA_TIMER or config.REDIS_URL or app.testing:
        return False
    command = click.get_current_context(silent=True)
    return command is None or command.info_name == "run"


def start_if_wanted(app: Flask) -> threading.Thread | None:
    if not timer_wanted(app):
        return None
    stop = threading.Event()
    every = max(1, app.config["SAMLENG"].SLA_SWEEP_SECONDS)
    thread = threading.Thread(
        target=_loop, args=(app, every, stop), name="samleng-sla-timer", daemon=True
    )
    app.extensions["samleng.sla_timer"] = (thread, stop)
    thread.start()
    return thread


def _loop(app: Flask, every: int, stop: threading.Event) -> None:
    while not stop.wait(every):
        run_once(app)


def run_once(app: Flask) -> SweepResult | None:
    """One sweep with its own commit; a failure is logged and retried next tick. Then the
    other periodic jobs (the outbox relay's sweep), each with its own commit."""
    with app.app_context():
        try:
            result = sweep()
            jobs.commit()
            if result.claimed or result.deferred:
                log.info("SLA sweep: %s", result.as_dict())
        except Exception:
            jobs.rollback()
            log.exception("SLA sweep failed; the next one will catch up")
            result = None
        for name in jobs.periodic_jobs():
            try:
                jobs.execute(name)
            except Exception:
                log.exception("periodic job %s failed; the next tick will catch up", name)
        return result


def tick(app: Flask) -> str:
    """One scheduler tick: with Redis, queue the sweep job (at most one waiting); without,
    sweep here. Returns what it did."""
    runner = app.extensions["samleng.jobs"]
    if not isinstance(runner, jobs.RQRunner):
        run_once(app)
        return "swept"
    from rq.exceptions import DuplicateJobError

    every = max(1, app.config["SAMLENG"].SLA_SWEEP_SECONDS)
    name = f"{sweep_job.__module__}.{sweep_job.__qualname__}"
    try:
        runner.queue("sla").enqueue_call(
            jobs.execute,
            args=(name,),
            job_id=JOB_ID,
            unique=True,  # a sweep still waiting covers this tick too
            ttl=every * 5,  # a tick nobody picked up is dropped; the next one covers it
            result_ttl=0,
            failure_ttl=every,
            timeout=max(600, every),
        )
    except DuplicateJobError:
        outcome = "already queued"
    except Exception:
        log.warning("could not queue the SLA sweep; retrying next tick")
        return "redis unavailable"
    else:
        outcome = "queued"
    for periodic in jobs.periodic_jobs():
        _queue_periodic(runner, periodic, every)
    return outcome


def _queue_periodic(runner: jobs.RQRunner, name: str, every: int) -> None:
    """Like the SLA sweep: at most one waiting per job, a tick nobody took is dropped."""
    from rq.exceptions import DuplicateJobError

    queue = jobs.queue_of(name)
    try:
        runner.queue(queue).enqueue_call(
            jobs.execute,
            args=(name,),
            job_id="samleng-periodic-" + name.replace(".", "_"),
            unique=True,
            ttl=every * 5,
            result_ttl=0,
            failure_ttl=every,
            timeout=max(600, every),
        )
    except DuplicateJobError:
        pass
    except Exception:
        log.warning("could not queue %s; retrying next tick", name)


def serve(app: Flask, once: bool = False) -> None:
    every = max(1, app.config["SAMLENG"].SLA_SWEEP_SECONDS)
    while True:
        outcome = tick(app)
        log.info("sla scheduler tick: %s", outcome)
        if once:
            return
        time.sleep(every)
