"""Queues, routing rules, assignment and claim-next; the officers' workspace."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from grievance import nav
    from grievance.queues import assignment, views
    from workflows.i18n import N_

    app.register_blueprint(views.bp)
    assignment.init_app(app)
    workers = ("officer", "supervisor")
    nav.add("queues.my_cases", N_("My cases"), *workers, order=10)
    nav.add("queues.queues", N_("Queues"), "officer", "supervisor", "admin", order=12)
    nav.add("queues.inbox", N_("Inbox"), "supervisor", order=11)
    nav.add("queues.workload", N_("Workload"), "supervisor", order=14)
    nav.add("queues.rules.index", N_("Queues and routing"), "supervisor", "admin", order=85)
