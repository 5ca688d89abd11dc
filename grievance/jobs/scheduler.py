"""Running the periodic jobs: a timer thread in embedded mode, `flask scheduler` with Redis.

Either can miss ticks (a restart, a busy worker): every periodic job is level-triggered and
idempotent (the SLA sweep, the outbox sweep), so the next tick catches up, and duplicates
are harmless.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import click
from flask import Flask

from grievance.jobs.registry import periodic_jobs, queue_of
from grievance.jobs.runtime import RQRunner, execute, runner_of

log = logging.getLogger(__name__)
THREAD = "samleng.timer"


def every(app: Flask) -> int:
    return max(1, int(app.config["SAMLENG"].SLA_SWEEP_SECONDS))


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
    thread = threading.Thread(
        target=_loop, args=(app, every(app), stop), name="samleng-timer", daemon=True
    )
    app.extensions[THREAD] = (thread, stop)
    thread.start()
    return thread


def _loop(app: Flask, seconds: int, stop: threading.Event) -> None:
    while not stop.wait(seconds):
        run_once(app)


def run_once(app: Flask) -> dict[str, Any]:
    """Every periodic job here and now, each as its own unit of work; a failure is logged
    and the next tick catches up. Returns each job's result (None when it failed)."""
    results: dict[str, Any] = {}
    with app.app_context():
        for name in periodic_jobs():
            try:
                results[name] = execute(name)
            except Exception:
                log.exception("periodic job failed job=%s; the next tick will catch up", name)
                results[name] = None
    return results


def tick(app: Flask) -> str:
    """One scheduler tick: with Redis, queue each periodic job (at most one of each
    waiting); without, run them here. Returns what it did."""
    runner = runner_of(app)
    if not isinstance(runner, RQRunner):
        run_once(app)
        return "ran"
    outcomes = {_queue_periodic(runner, name, every(app)) for name in periodic_jobs()}
    for outcome in ("redis unavailable", "queued"):
        if outcome in outcomes:
            return outcome
    return "already queued"


def job_id(name: str) -> str:
    return "samleng-periodic-" + name.replace(".", "_")


def _queue_periodic(runner: RQRunner, name: str, seconds: int) -> str:
    """At most one waiting per job; a tick nobody picked up is dropped (the next covers it)."""
    from rq.exceptions import DuplicateJobError

    try:
        runner.queue(queue_of(name)).enqueue_call(
            execute,
            args=(name,),
            job_id=job_id(name),
            unique=True,
            ttl=seconds * 5,
            result_ttl=0,
            failure_ttl=seconds,
            timeout=max(600, seconds),
        )
    except DuplicateJobError:
        return "already queued"
    except Exception:
        log.warning("could not queue job=%s; retrying next tick", name)
        return "redis unavailable"
    return "queued"


def serve(app: Flask, once: bool = False) -> None:
    """Tick until stopped. A tick that fails (Redis or the database away) is logged and
    the next one tries again: the scheduler never exits because a service did."""
    while True:
        try:
            outcome = tick(app)
        except Exception as error:
            outcome = f"failed {type(error).__name__}"
        log.info("scheduler tick outcome=%s", outcome.replace(" ", "_"))
        if once:
            return
        time.sleep(every(app))
