"""The application factory: the one place where the parts are wired together."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask

from grievance import headers, jobs, ratelimit
from grievance.config import DEFAULT_SECRET, PROJECT_ROOT, Config
from grievance.extensions import babel, csrf, db, migrate
from grievance.i18n import select_locale, select_timezone

log = logging.getLogger(__name__)


def create_app(config: Config | None = None) -> Flask:
    config = config or Config.from_env()
    if config.production and config.SECRET_KEY == DEFAULT_SECRET:
        raise RuntimeError("SECRET_KEY must be set to a long random value in production")
    app = Flask(
        __name__,
        instance_path=config.INSTANCE_PATH,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(config.flask_settings())
    if config.PROXY_COUNT:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = config.PROXY_COUNT
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    Path(config.INSTANCE_PATH).mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    csrf.init_app(app)
    headers.init_app(app)
    ratelimit.init_app(app)
    jobs.init_app(app, config.REDIS_URL)
    _register_blueprints(app)
    _register_cli(app)
    _wire_notifications(app)
    _import_models()
    return app


def _import_models() -> None:
    import grievance.models  # noqa: F401  (mappers must exist before the first query)
    import notifications.models  # noqa: F401


# Each feature package exposes `bp` in its views module; the order is the menu's.
FEATURES = (
    "grievance.web",
    "grievance.health",
    "grievance.cases.views",
    "grievance.intake.views",
    "grievance.tracking.views",
    "grievance.queues.views",
    "grievance.sla.views",
    "grievance.oversight.views",
    "grievance.oversight.open311",
    "grievance.admin.views",
    "notifications.views",
)


def _register_blueprints(app: Flask) -> None:
    from importlib import import_module

    from grievance import nav
    from grievance.auth import init_app as init_auth
    from grievance.cases.presenters import init_app as init_case_names
    from grievance.i18n import init_app as init_i18n

    init_i18n(app)
    init_auth(app)
    nav.init_app(app)
    init_case_names(app)
    for module in FEATURES:
        app.register_blueprint(import_module(module).bp)


def _wire_notifications(app: Flask) -> None:
    from notifications import init_app as init_notifications

    init_notifications(app)


def _register_cli(app: Flask) -> None:
    from grievance.cli import register

    register(app)
