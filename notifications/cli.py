"""`flask notifications sweep|digest`: for cron or the scheduler."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from grievance import uow

group = AppGroup("notifications", help="Outbox relay and digests.")


@group.command("sweep")
@uow.transactional
def sweep_cmd() -> None:
    """Hand over again notifications that are due, lost or stuck."""
    from notifications.relay import sweep

    count = sweep()
    click.echo(f"notifications handed over: {count}")


@group.command("digest")
@uow.transactional
def digest_cmd() -> None:
    """Write this week's oversight digest (once per ISO week)."""
    from notifications.digest import weekly_digest

    count = weekly_digest()
    click.echo(f"digest notifications written: {count}")
