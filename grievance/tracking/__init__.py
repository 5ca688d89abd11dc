"""The complainant's status page: find a case with its codes or a one-time link, follow it
and take the steps open to her."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from grievance.tracking import views

    app.register_blueprint(views.bp)
    app.register_blueprint(views.staff_bp)
    # The short form of a one-time link, as SMS texts carry it (every character counts).
    app.add_url_rule("/t/<token>", endpoint="track_short_link", view_func=views.link)
    app.add_url_rule(
        "/t/<token>", endpoint="track_short_link_open", view_func=views.open_link, methods=["POST"]
    )
