"""Outbox, relay and channels. Depends on `grievance`; wired into the app by create_app."""

from __future__ import annotations

from typing import Any

from flask import Flask


def init_app(app: Flask) -> None:
    """Turn case notices (one or a batch) into outbox rows in the same transaction, and a
    STOP into the cancellation of the SMS still waiting; the relay's jobs; the staff
    notification pages."""
    from grievance import nav
    from grievance.effects import ContactOptedOut, Notices, StaffAlert, subscribe
    from grievance.jobs import periodic
    from grievance.site.errors import machine_errors
    from notifications import digest, models, relay, services, views  # noqa: F401  (models)
    from notifications.cli import group
    from notifications.outbox import on_notice, on_notices, on_staff_alert
    from workflows.i18n import N_

    with app.app_context():
        subscribe(on_notice)
        subscribe(on_notices, Notices)
        subscribe(on_staff_alert, StaffAlert)
        subscribe(services.on_opted_out, ContactOptedOut)
    app.register_blueprint(views.bp)
    machine_errors(app, views.STATUS_PATH, views.webhook_error)
    app.cli.add_command(group)
    periodic(relay.sweep_job)  # re-drives messages whose job was lost
    periodic(digest.weekly_digest_job)  # writes once per ISO week
    nav.add("notifications.index", N_("Notifications"), order=15)
    nav.add("notifications.failed", N_("Failed messages"), "admin", order=95)

    @app.context_processor
    def inject_badge() -> dict[str, Any]:
        return {"nav_badge": views.nav_badge}
