"""Where a released job runs: in this process right after the commit (embedded mode), or
on a named RQ queue for `flask worker` (REDIS_URL set). Each run is one unit of work."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from flask import Flask, current_app, has_app_context

from grievance import uow
from grievance.jobs.registry import lookup

log = logging.getLogger(__name__)
EXTENSION = "samleng.jobs"
JOB_TIMEOUT = 600
REDIS_TIMEOUT = 5.0  # seconds


class Runner(Protocol):
    def __call__(self, name: str, ids: tuple[int | str, ...]) -> None: ...


def runner_of(app: Flask) -> Runner:
    runner: Runner = app.extensions[EXTENSION]
    return runner


def dispatch(name: str, ids: tuple[int | str, ...]) -> None:
    runner_of(current_app)(name, ids)


def execute(name: str, *ids: int | str) -> Any:
    """Run one job as its own unit of work, inside an app context (RQ calls this)."""
    if has_app_context():
        return _run(name, ids)
    with worker_app().app_context():
        return _run(name, ids)


def _run(name: str, ids: tuple[int | str, ...]) -> Any:
    func, _queue = lookup(name)
    return uow.run(func, *ids)


_app: Flask | None = None


def use_app(app: Flask) -> None:
    """The app jobs run in, built once by the worker process: RQ forks a child per job,
    and a child that had to build its own app would spend most of its time on that."""
    global _app
    _app = app


def worker_app() -> Flask:
    global _app
    if _app is None:
        from grievance.app import create_app

        _app = create_app()
    return _app


class InProcessRunner:
    """Embedded mode: run the job now, after the commit that released it."""

    def __call__(self, name: str, ids: tuple[int | str, ...]) -> None:
        try:
            _run(name, ids)
        except Exception:
            # The job's own obligations (outbox rows, sweeps) make it retryable later.
            log.exception("job failed job=%s", name)


class RQRunner:
    def __init__(self, redis_url: str) -> None:
        from redis import Redis

        # Bounded waits: a request that releases a job must not hang on an unreachable Redis.
        self.connection = Redis.from_url(
            redis_url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT
        )
        self._queues: dict[str, Any] = {}

    def queue(self, name: str) -> Any:
        from rq import Queue

        if name not in self._queues:
            self._queues[name] = Queue(name, connection=self.connection)
        return self._queues[name]

    def __call__(self, name: str, ids: tuple[int | str, ...]) -> None:
        _func, queue = lookup(name)
        try:
            # One round trip to Redis: RQ on its own sends two (queue key, then the job).
            pipe = self.connection.pipeline()
            self.queue(queue).enqueue(execute, name, *ids, job_timeout=JOB_TIMEOUT, pipeline=pipe)
            pipe.execute()
        except Exception:
            # Redis away: nothing is lost, the obligation is a database row a sweep re-finds.
            log.warning("could not enqueue job=%s; a sweep will pick it up", name)


def init_app(app: Flask) -> None:
    redis_url = app.config["SAMLENG"].REDIS_URL
    app.extensions[EXTENSION] = RQRunner(redis_url) if redis_url else InProcessRunner()
