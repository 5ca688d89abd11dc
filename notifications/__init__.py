"""Outbox, relay and channels. Depends on `grievance`; wired into the app by create_app."""

from __future__ import annotations

from typing import Any

from flask import Flask


def init_app(app: Flask) -> None:
    """Subscribe to case notices so they become outbox rows in the same transaction."""
    from grievance.effects import subscribe
    from notifications import digest, relay  # noqa: F401  (registers the jobs)
    from notifications.cli import group
    from notifications.outbox import on_notice
    from notifications.views import nav_badge

    with app.app_context():
        subscribe(on_notice)
    app.cli.add_command(group)

    @app.context_processor
    def inject_badge() -> dict[str, Any]:
        return {"nav_badge": nav_badge}
