"""`flask intake create-partner NAME`, `flask telegram set-webhook`."""

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


telegram_cli = AppGroup("telegram", help="The Telegram bot.")


@telegram_cli.command("set-webhook")
def set_webhook_cmd() -> None:
    """Point the bot at PUBLIC_BASE_URL/telegram/webhook with TELEGRAM_WEBHOOK_SECRET
    (messages, and the bot blocked or unblocked in a chat; Telegram keeps updates that
    wait meanwhile)."""
    from flask import current_app

    from grievance.integrations import public_url, telegram

    cfg = current_app.config["SAMLENG"]
    if not cfg.TELEGRAM_WEBHOOK_SECRET:
        raise click.ClickException("set TELEGRAM_WEBHOOK_SECRET first (1-256 of A-Z a-z 0-9 _ -)")
    url = public_url(telegram.WEBHOOK_PATH)
    try:
        telegram.Bot.from_config().call(
            "setWebhook",
            url=url,
            secret_token=cfg.TELEGRAM_WEBHOOK_SECRET,
            allowed_updates=["message", "my_chat_member"],
            max_connections=40,
        )
    except telegram.BotApiError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"webhook set: {url}")
