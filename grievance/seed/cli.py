"""`flask seed reference|demo|logins`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from grievance import uow

seed = AppGroup("seed", help="Load reference and demo data.")


@seed.command("reference")
@uow.transactional
def seed_reference_cmd() -> None:
    """Provinces, categories, default SLA policies and queues (idempotent)."""
    from grievance.seed.reference import seed_reference

    added = seed_reference()
    click.echo("reference data: " + ", ".join(f"{k} +{v}" for k, v in added.items()))


@seed.command("demo")
@uow.transactional
def seed_demo_cmd() -> None:
    """Reference data plus demo users, organisations, forums and about 300 cases."""
    from grievance.oversight.snapshots import refresh
    from grievance.seed.demo import seed_demo
    from grievance.seed.demo_paths import advance
    from grievance.seed.reference import seed_reference
    from grievance.sla.sweep import sweep

    seed_reference()
    result = seed_demo(current_app.instance_path, advance=advance)
    sweep()  # the demo's deadlines as of now: reminders, overdue cases, escalations
    refresh()  # the dashboard's figures, so the first visit shows them
    created = result["users_created"]
    assert isinstance(created, dict)
    click.echo(f"demo cases created: {result['cases_created']}")
    for username, password in created.items():
        click.echo(f"  demo login: {username} / {password}")


@seed.command("logins")
def seed_logins_cmd() -> None:
    """Print the demo logins created on this machine."""
    path = Path(current_app.instance_path) / "demo-logins.txt"
    if not path.exists():
        click.echo("no demo logins on this machine (run `flask seed demo`)")
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        username, _, password = line.partition(" ")
        click.echo(f"  {username:16} {password}")
