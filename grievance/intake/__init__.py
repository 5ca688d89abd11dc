"""Intake from every channel: the public form, the hotline desk, representatives, forums,
SMS, Telegram, the partner API (Open311 is served by `oversight`)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from grievance import jobs, nav
    from grievance.intake import cli, playback, views
    from grievance.site.errors import machine_errors
    from workflows.i18n import N_

    # First in line: the CSRF check reads the form, and must read it with the higher limit.
    app.before_request_funcs.setdefault(None, []).insert(0, views.raise_form_limit)
    app.register_blueprint(views.bp)
    machine_errors(app, "/api/", views.api.http_error)
    machine_errors(app, "/sms/", views.sms.http_error)
    machine_errors(app, "/telegram/", views.telegram.http_error)
    app.cli.add_command(cli.intake_cli)
    jobs.job(queue="default")(playback.prepare)  # known by name before a worker is asked for it
    app.cli.add_command(cli.telegram_cli)
    staff = ("intake", "supervisor", "admin")
    nav.add("intake.desk.hotline", N_("Hotline desk"), *staff, order=20)
    nav.add("intake.desk.rep_cases", N_("Our organisation's cases"), "representative", order=20)
    nav.add("intake.desk.file_for_member", N_("File for a member"), "representative", order=21)
    nav.add("intake.forums.index", N_("Forums"), *staff, order=22)
