"""Accountability: public dashboard and open data, oversight figures and exports, forum
follow-up reports, Open311."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from grievance import nav
    from grievance.jobs import periodic
    from grievance.oversight import cli, releases, snapshots, views
    from grievance.site.errors import machine_errors
    from workflows.i18n import N_

    app.register_blueprint(views.bp)
    app.register_blueprint(views.open311_bp)
    machine_errors(app, "/open311/", views.open311.http_error)
    app.cli.add_command(cli.stats_cli)
    periodic(snapshots.refresh_if_stale_job)
    periodic(releases.release_last_month_job)
    oversight = ("oversight", "supervisor", "admin")
    nav.add("oversight.oversight_dashboard", N_("Oversight"), *oversight, order=60)
    nav.add("oversight.export_index", N_("Exports"), *oversight, order=61)
