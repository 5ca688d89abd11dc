"""`flask worker` (RQ, for REDIS_URL) and `flask scheduler` (queues the periodic jobs)."""

from __future__ import annotations

import importlib

import click
from flask import current_app

from grievance.jobs.registry import QUEUES
from grievance.jobs.runtime import use_app
from grievance.jobs.scheduler import serve

# Modules jobs import lazily: imported once before RQ forks, not once per job.
WARM_MODULES = (
    "notifications.channels.files",
    "notifications.channels.smtp",
    "notifications.channels.twilio",
    "notifications.segments",
)


@click.command("worker")
@click.option("--queue", "queues", multiple=True, help="queues to serve (default: all)")
@click.option("--burst", is_flag=True, help="stop when the queues are empty")
def worker_cmd(queues: tuple[str, ...], burst: bool) -> None:
    """Run an RQ worker for the named queues (needs REDIS_URL); it rides out Redis outages."""
    from grievance.extensions import db
    from grievance.jobs.worker import serve as serve_worker

    url = current_app.config["SAMLENG"].REDIS_URL
    if not url:
        raise click.ClickException("REDIS_URL is not set; embedded mode runs jobs in-process")
    use_app(current_app._get_current_object())  # type: ignore[attr-defined]
    _warm_up()
    db.engine.dispose()  # no connection of this process may be shared with its children
    serve_worker(url, queues or QUEUES, burst=burst)


def _warm_up() -> None:
    """Do once, before RQ forks a child per job, what every child would otherwise redo:
    configure the mappers, import the modules jobs import lazily, and let the database
    dialect read the server's settings (on a first connection: a fifth of a second)."""
    from sqlalchemy.orm import configure_mappers

    from grievance.extensions import db

    configure_mappers()
    for module in WARM_MODULES:
        importlib.import_module(module)
    with db.engine.connect():
        pass


@click.command("scheduler")
@click.option("--once", is_flag=True, help="one tick, then stop")
def scheduler_cmd(once: bool) -> None:
    """Every SLA_SWEEP_SECONDS, queue the periodic jobs (Redis) or run them (embedded)."""
    serve(current_app._get_current_object(), once=once)  # type: ignore[attr-defined]
