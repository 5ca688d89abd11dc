"""`flask stats refresh` and `flask stats purge-exports`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from grievance import uow

stats_cli = AppGroup("stats", help="Accountability figures and exports.")


@stats_cli.command("refresh")
@uow.transactional
def refresh_cmd() -> None:
    """Recompute the dashboard figures now (set-based SQL)."""
    from grievance.oversight import snapshots

    row = snapshots.refresh()
    stamp = row.generated_at.isoformat() if row.generated_at else "?"
    click.echo(f"figures as of {stamp} (UTC) computed in {row.took_ms} ms")


@stats_cli.command("purge-exports")
@uow.transactional
def purge_exports_cmd() -> None:
    """Delete case exports older than 24 hours."""
    from grievance.oversight.exports import purge_expired

    removed = purge_expired()
    click.echo(f"exports removed: {removed}")
