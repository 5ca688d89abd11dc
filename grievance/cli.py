"""Command-line tools: `flask seed`, `flask users`, `flask worker`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from grievance.errors import DomainError
from grievance.jobs import QUEUES, commit, use_app

seed = AppGroup("seed", help="Load reference and demo data.")
users = AppGroup("users", help="Manage staff accounts.")


@seed.command("reference")
def seed_reference_cmd() -> None:
    """Provinces, categories, default SLA policies and queues (idempotent)."""
    from grievance.seed.reference import seed_reference

    added = seed_reference()
    commit()
    click.echo("reference data: " + ", ".join(f"{k} +{v}" for k, v in added.items()))


@seed.command("demo")
def seed_demo_cmd() -> None:
    """Reference data plus demo users, organisations, forums and about 300 cases."""
    from grievance.seed.demo import seed_demo
    from grievance.seed.demo_paths import advance
    from grievance.seed.reference import seed_reference
    from grievance.sla.sweep import sweep

    seed_reference()
    result = seed_demo(current_app.instance_path, advance=advance)
    sweep()  # the demo's deadlines as of now: reminders, overdue cases, escalations
    commit()
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


@users.command("create")
@click.argument("username")
@click.option("--name", required=True)
@click.option("--role", "roles", multiple=True, required=True, help="role or role:KH-12")
@click.option("--language", default="km", type=click.Choice(["km", "en"]))
@click.password_option()
def users_create_cmd(
    username: str, name: str, roles: tuple[str, ...], language: str, password: str
) -> None:
    """Create a staff account with one or more roles."""
    from grievance.auth.services import create_user

    parsed = [(r.partition(":")[0], r.partition(":")[2] or None) for r in roles]
    try:
        user = create_user(username, password, name, parsed, language=language)
    except DomainError as error:
        raise click.ClickException(f"{error.code}: {error.detail}") from error
    commit()
    click.echo(f"created user {user.username} (id {user.id})")


@click.command("worker")
@click.option("--queue", "queues", multiple=True, help="queues to serve (default: all)")
@click.option("--burst", is_flag=True, help="stop when the queues are empty")
def worker_cmd(queues: tuple[str, ...], burst: bool) -> None:
    """Run an RQ worker for the named queues (needs REDIS_URL)."""
    from redis import Redis
    from rq import Queue, Worker

    from grievance.extensions import db

    url = current_app.config["SAMLENG"].REDIS_URL
    if not url:
        raise click.ClickException("REDIS_URL is not set; embedded mode runs jobs in-process")
    connection = Redis.from_url(url)
    names = queues or QUEUES
    use_app(current_app._get_current_object())  # type: ignore[attr-defined]
    _warm_up()
    db.engine.dispose()  # no connection of this process may be shared with its children
    worker = Worker([Queue(n, connection=connection) for n in names], connection=connection)
    worker.work(burst=burst, with_scheduler=False)


def _warm_up() -> None:
    """Do once, before RQ forks a child per job, what every child would otherwise redo:
    configure the mappers, import the modules jobs import lazily, and let the database
    dialect read the server's settings (on a first connection: a fifth of a second)."""
    import importlib

    from sqlalchemy.orm import configure_mappers

    from grievance.extensions import db

    configure_mappers()
    for module in (
        "notifications.channels.files",
        "notifications.channels.smtp",
        "notifications.channels.twilio",
        "notifications.segments",
    ):
        importlib.import_module(module)
    with db.engine.connect():
        pass


def register(app: Flask) -> None:
    from grievance.cases.cli import audit, workflows_cli
    from grievance.sla.cli import register as register_sla

    app.cli.add_command(audit)
    app.cli.add_command(workflows_cli)
    app.cli.add_command(seed)
    app.cli.add_command(users)
    app.cli.add_command(worker_cmd)
    register_sla(app)
