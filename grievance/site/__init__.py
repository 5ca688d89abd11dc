"""What every page shares: the landing page and staff home, error pages, health probes,
security headers, rate limits and the staff menu."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from grievance import headers, nav, ratelimit
    from grievance.site import assets, errors, guards, health, views

    headers.init_app(app)
    assets.init_app(app)
    ratelimit.init_app(app)
    nav.init_app(app)
    errors.init_app(app)
    guards.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(health.bp)
    app.context_processor(views.public_numbers)
