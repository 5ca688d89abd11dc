"""`flask registry import FILE --kind employer|health_facility [--check]`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from grievance import uow
from grievance.systemic import registry
from grievance.systemic.models import ENTITY_KINDS

registry_cli = AppGroup("registry", help="Registries of employers and health facilities.")


@registry_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(sorted(ENTITY_KINDS)), required=True)
@click.option("--check", is_flag=True, help="Only report the rows' errors; save nothing.")
@uow.transactional
def import_cmd(path: Path, kind: str, check: bool) -> None:
    """Import a registry sheet (CSV or XLSX) as NSSF keeps it; rows with errors are left
    out and listed."""
    data = path.read_bytes()
    if check:
        parsed = registry.parse(data, kind)
        changed, sheet = len(parsed.entries), parsed.sheet
    else:
        changed, sheet = registry.import_sheet(data, kind, None)
    for error in sheet.errors:
        click.echo(f"line {error['line']} {error['column']}: {error['code']}", err=True)
    verb = "would be read" if check else "created or changed"
    click.echo(f"{changed} entries {verb}; {sheet.bad_lines} lines with errors")
