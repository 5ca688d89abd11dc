"""`flask sla sweep` and `flask sla audit REFERENCE`."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from grievance import uow
from grievance.cases.queries import case_by_reference

sla = AppGroup("sla", help="SLA deadlines: sweep, audit.")


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@sla.command("sweep")
@click.option("--at", "at", default=None, help="sweep as of this ISO time (default: now)")
@uow.transactional
def sweep_cmd(at: str | None) -> None:
    """Find at-risk and breached cases and act on them (safe to run any time, e.g. cron)."""
    from grievance.sla.sweep import sweep

    result = sweep(_moment(at))
    if result.skipped:
        click.echo("another sweep is running; nothing done")
        return
    click.echo(
        f"at risk: {result.at_risk}, breached: {result.breached}, "
        f"escalated: {result.escalated}, handed to jobs: {result.deferred} cases"
    )


@sla.command("audit")
@click.argument("reference")
def audit_cmd(reference: str) -> None:
    """Working time used per clock, from the case timeline, beside the stored deadlines."""
    from grievance.sla import ledger

    case = case_by_reference(reference)
    if case is None:
        raise click.ClickException("no case has that reference")
    stored = {"acknowledge": case.ack_due_at, "resolve": case.resolve_due_at}
    for name, row in ledger.audit(case, datetime.now(UTC)).items():
        hours = row.elapsed_seconds / 3600
        same = "matches" if row.due_at == stored.get(name) else "DIFFERS"
        click.echo(
            f"{name:12} {row.status:8} used {hours:7.2f} working hours; "
            f"due {row.due_at} (stored {stored.get(name)}: {same})"
        )
