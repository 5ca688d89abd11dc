"""Deadlines: the working-day calendar, policies, clocks, the sweep and escalation."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from grievance import nav
    from grievance.jobs import periodic
    from grievance.sla import cli, sweep, views
    from workflows.i18n import N_

    app.register_blueprint(views.bp)
    app.context_processor(views.template_helpers)
    app.cli.add_command(cli.sla)
    periodic(sweep.sweep_job)  # first on every scheduler tick
    nav.add("sla.calendar", N_("Calendar and closures"), "admin", order=84)
    nav.add("sla.policies", N_("SLA policies"), "admin", order=85)
