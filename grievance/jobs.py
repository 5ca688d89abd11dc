"""Background jobs. Jobs take ids, reload fresh state and are idempotent.

`enqueue` never runs or sends anything at once: the job is held until the current
transaction commits (see `commit`) and dropped if it rolls back. Then it goes to a named
RQ queue when REDIS_URL is set, or runs in-process right after the commit otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_app_context

from grievance.extensions import db

log = logging.getLogger(__name__)
QUEUES = ("default", "notifications", "sla", "imports", "exports")
JobFunc = Callable[..., Any]
_registry: dict[str, tuple[JobFunc, str]] = {}
_periodic: list[str] = []


def job(queue: str = "default") -> Callable[[JobFunc], JobFunc]:
    """Register a function as a job on a named queue."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue}")

    def register(func: JobFunc) -> JobFunc:
        _registry[f"{func.__module__}.{func.__qualname__}"] = (func, queue)
        return func

    return register


def periodic(func: JobFunc) -> JobFunc:
    """Also run this registered job on every scheduler tick (`flask scheduler`, or the
    embedded timer). For level-triggered, idempotent sweeps: a tick may be missed or
    doubled. Lets a package the scheduler cannot import (notifications) join it."""
    name = f"{func.__module__}.{func.__qualname__}"
    if name not in _registry:
        raise ValueError(f"{name} is not a registered job")
    if name not in _periodic:
        _periodic.append(name)
    return func


def periodic_jobs() -> list[str]:
    return list(_periodic)


def queue_of(name: str) -> str:
    return _registry[name][1]


def _pending() -> list[tuple[str, tuple[int | str, ...]]]:
    return db.session().info.setdefault("pending_jobs", [])


def enqueue(func: JobFunc, *ids: int | str) -> None:
    """Run `func(*ids)` after the current transaction commits."""
    name = f"{func.__module__}.{func.__qualname__}"
    if name not in _registry:
        raise ValueError(f"{name} is not a registered job")
    _pending().append((name, ids))


def commit() -> None:
    """The one commit point: commit, then let the jobs this transaction asked for go."""
    db.session.commit()
    pending = list(_pending())
    _pending().clear()
    for name, ids in pending:
        dispatch(name, ids)


def rollback() -> None:
    db.session.rollback()
    _pending().clear()


def dispatch(name: str, ids: tuple[int | str, ...]) -> None:
    runner = current_app.extensions["samleng.jobs"]
    runner(name, ids)


def execute(name: str, *ids: int | str) -> Any:
    """Run one job inside an app context and commit its work (the job-side boundary)."""
    if has_app_context():
        return _run(name, ids)
    app = _worker_app()
    with app.app_context():
        return _run(name, ids)


def _run(name: str, ids: tuple[int | str, ...]) -> Any:
    func, _queue = _registry[name]
    try:
        result = func(*ids)
        commit()
        return result
    except Exception:
        rollback()
        raise


_app: Flask | None = None


def use_app(app: Flask) -> None:
    """The app jobs run in, built once by the worker process: RQ forks a child per job,
    and a child that had to build its own app would spend most of its time on that."""
    global _app
    _app = app


def _worker_app() -> Flask:
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
            log.exception("job %s failed", name)


class RQRunner:
    def __init__(self, redis_url: str) -> None:
        from redis import Redis

        self.connection = Redis.from_url(redis_url)
        self._queues: dict[str, Any] = {}

    def queue(self, name: str) -> Any:
        from rq import Queue

        if name not in self._queues:
            self._queues[name] = Queue(name, connection=self.connection)
        return self._queues[name]

    def __call__(self, name: str, ids: tuple[int | str, ...]) -> None:
        _func, queue = _registry[name]
        try:
            self.queue(queue).enqueue(execute, name, *ids, job_timeout=600)
        except Exception:
            # Redis away: nothing is lost, the obligation is a database row a sweep re-finds.
            log.warning("could not enqueue job %s; a sweep will pick it up", name)


def init_app(app: Flask, redis_url: str) -> None:
    app.extensions["samleng.jobs"] = RQRunner(redis_url) if redis_url else InProcessRunner()
