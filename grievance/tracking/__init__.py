"""The complainant's status page: find a case with its codes or a one-time link, follow it
and take the steps open to her."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from grievance.tracking import views

    app.register_blueprint(views.bp)
