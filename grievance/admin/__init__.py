"""Administration screens: staff accounts and workflows (queues, deadlines and closures
have their screens in `queues` and `sla`)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from grievance import nav
    from grievance.admin import organisations, views
    from workflows.i18n import N_

    app.register_blueprint(views.bp)
    app.register_blueprint(organisations.bp)
    nav.add("admin.workflows", "Workflows", "admin", "supervisor", order=80)
    nav.add("admin.users", "Staff accounts", "admin", order=85)
    nav.add("admin_orgs.index", N_("Organisations"), "admin", order=86)
    nav.add("admin.index", "Administration", "admin", order=90)
