"""`flask users create USERNAME --name ... --role ROLE[:PROVINCE]`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from grievance import uow
from grievance.errors import DomainError

users = AppGroup("users", help="Manage staff accounts.")


@users.command("create")
@click.argument("username")
@click.option("--name", required=True)
@click.option("--role", "roles", multiple=True, required=True, help="role or role:KH-12")
@click.option("--language", default="km", type=click.Choice(["km", "en"]))
@click.password_option()
@uow.transactional
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
    click.echo(f"created user {user.username} (id {user.id})")
