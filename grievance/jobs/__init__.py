"""Background jobs: the one runtime for every package (registry, runners, scheduler, CLI).

Jobs take ids, reload fresh state and are idempotent. `enqueue` never runs or sends
anything at once: the job is held until the current unit of work commits (`grievance.uow`)
and dropped if it rolls back. Then it goes to a named RQ queue when REDIS_URL is set, or
runs in-process right after the commit otherwise. Each job runs as its own unit of work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from grievance.jobs.registry import QUEUES, enqueue, job, periodic, periodic_jobs, queue_of
from grievance.jobs.runtime import execute

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["QUEUES", "enqueue", "execute", "init_app", "job", "periodic", "periodic_jobs"]
__all__ += ["queue_of"]


def init_app(app: Flask) -> None:
    """The runner (RQ or in-process), `flask worker` and `flask scheduler`, and in
    embedded mode the timer that runs the periodic jobs (it first waits one period)."""
    from grievance.jobs import cli, runtime, scheduler

    runtime.init_app(app)
    app.cli.add_command(cli.worker_cmd)
    app.cli.add_command(cli.scheduler_cmd)
    scheduler.start_if_wanted(app)
