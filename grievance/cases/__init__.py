"""Cases, the people in them, their timeline; the officers' case pages."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from grievance import nav
    from grievance.cases import cli, policy, presenters, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.audit)
    app.cli.add_command(cli.workflows_cli)
    presenters.init_app(app)
    nav.add("cases.index", "Cases", *policy.CASE_ROLES, order=20)
    nav.add("cases.reply_templates", "Reply templates", "admin", order=88)
