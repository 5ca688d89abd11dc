"""`flask stats refresh`, `flask stats release` and `flask stats purge-exports`."""

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


@stats_cli.command("release")
@click.option("--month", default=None, help="YYYY-MM (default: last month, Phnom Penh time)")
@uow.transactional
def release_cmd(month: str | None) -> None:
    """Write the monthly open-data release (once per month, in month order)."""
    import re

    from grievance.errors import DomainError
    from grievance.oversight import releases

    month = month or releases.last_complete_month()
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise click.BadParameter("YYYY-MM", param_hint="--month")
    try:
        row = releases.write(month)
    except DomainError as refused:
        raise click.ClickException(
            {
                "release_exists": f"a release for {month} or a later month exists already",
                "release_month_not_over": f"{month} is not over yet",
            }[refused.code]
        ) from refused
    click.echo(f"open-data release {month}: {len(row.data['records'])} records")


@stats_cli.command("purge-exports")
@uow.transactional
def purge_exports_cmd() -> None:
    """Delete case exports older than 24 hours."""
    from grievance.oversight.exports import purge_expired

    removed = purge_expired()
    click.echo(f"exports removed: {removed}")
