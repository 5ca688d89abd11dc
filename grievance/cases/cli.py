"""`flask audit verify` and `flask workflows diagram`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from grievance.security import normalize_reference

audit = AppGroup("audit", help="Check the case timelines' hash chains.")
workflows_cli = AppGroup("workflows", help="Inspect workflow definitions.")


@audit.command("verify")
@click.option("--case", "reference", default=None, help="only this case reference")
def verify_cmd(reference: str | None) -> None:
    """Verify every case's event chain; name the first broken link of each bad case."""
    from grievance.cases.audit import verify

    ref = None
    if reference is not None:
        ref = normalize_reference(reference)
        if ref is None:
            raise click.ClickException(f"not a valid reference: {reference}")
    broken = list(verify(ref))
    for link in broken:
        click.echo(f"BROKEN case {link.reference}: event #{link.seq} (id {link.event_id})")
    if broken:
        raise click.ClickException(f"{len(broken)} case timeline(s) failed verification")
    click.echo("all case timelines verify")


@workflows_cli.command("diagram")
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(["dot", "mermaid"]), default="dot")
def diagram_cmd(name: str, fmt: str) -> None:
    """Print workflow NAME as Graphviz DOT or Mermaid."""
    from workflows import WORKFLOWS
    from workflows.diagram import to_dot, to_mermaid

    if name not in WORKFLOWS:
        raise click.ClickException(f"unknown workflow {name}; known: {', '.join(WORKFLOWS)}")
    click.echo(to_dot(WORKFLOWS[name]) if fmt == "dot" else to_mermaid(WORKFLOWS[name]))
