"""`flask intake create-partner NAME`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from grievance import uow

intake_cli = AppGroup("intake", help="Intake channels.")


@intake_cli.command("create-partner")
@click.argument("name")
@uow.transactional
def create_partner_cmd(name: str) -> None:
    """Register a partner system for the JSON API and print its token (shown once)."""
    from grievance.intake.partners import create_partner

    partner, token = create_partner(name)
    click.echo(f"partner {partner.id} {name}: token {token}")
    click.echo("Keep the token now: only its hash is stored.")
