"""Which functions are jobs, on which named queue, and which run on every scheduler tick."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grievance import uow

QUEUES = ("default", "notifications", "sla", "imports", "exports")
JobFunc = Callable[..., Any]
_registry: dict[str, tuple[JobFunc, str]] = {}
_periodic: list[str] = []


def name_of(func: JobFunc) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def job(queue: str = "default") -> Callable[[JobFunc], JobFunc]:
    """Register a function as a job on a named queue."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue}")

    def register(func: JobFunc) -> JobFunc:
        _registry[name_of(func)] = (func, queue)
        return func

    return register


def periodic(func: JobFunc) -> JobFunc:
    """Also run this registered job on every scheduler tick (`flask scheduler`, or the
    embedded timer). For level-triggered, idempotent sweeps: a tick may be missed or
    doubled."""
    name = name_of(func)
    if name not in _registry:
        raise ValueError(f"{name} is not a registered job")
    if name not in _periodic:
        _periodic.append(name)
    return func


def periodic_jobs() -> list[str]:
    return list(_periodic)


def lookup(name: str) -> tuple[JobFunc, str]:
    return _registry[name]


def queue_of(name: str) -> str:
    return _registry[name][1]


def enqueue(func: JobFunc, *ids: int | str) -> None:
    """Run `func(*ids)` after the current unit of work commits."""
    from grievance.jobs.runtime import dispatch

    name = name_of(func)
    if name not in _registry:
        raise ValueError(f"{name} is not a registered job")
    uow.after_commit(lambda: dispatch(name, ids))
