"""The application factory: the one place where the parts are wired together.

Each feature package exposes `init_app(app)`, which registers its routes, commands,
subscriptions and timers; `create_app` calls them in the order of `FEATURES`. Nothing is
wired by importing a module.
"""

from __future__ import annotations

import logging
from importlib import import_module
from pathlib import Path
from typing import Any

from flask import Flask, Response, request, session

from grievance import uow
from grievance.config import PROJECT_ROOT, Config
from grievance.extensions import babel, csrf, db, migrate, ping_after_idle
from grievance.i18n import select_locale, select_timezone
from grievance.logs import configure_logging
from grievance.site import assets

log = logging.getLogger(__name__)

# The wiring, in one visible list: each entry's `init_app(app)` is called in this order
# (which is also the order of the staff menu). `notifications` comes after `grievance`'s
# features: it subscribes to their notices; `grievance` never imports it.
FEATURES = (
    "grievance.i18n",
    "grievance.site",
    "grievance.auth",
    "grievance.cases",
    "grievance.intake",
    "grievance.tracking",
    "grievance.queues",
    "grievance.search",
    "grievance.systemic",
    "grievance.sla",
    "grievance.oversight",
    "grievance.admin",
    "grievance.seed",
    "notifications",
    "grievance.jobs",
)


class App(Flask):
    """Flask with the request boundary of the unit of work (`grievance.uow`).

    A request's writes are committed once, after the view has answered and before the
    answer (cookies included) is finished: committed for a success or a redirect, rolled
    back for an error status or an exception. If the commit itself fails, the answer is
    the one for that error (a 503 "try again" for a lost database) and the session cookie
    goes back to what the request brought, so nothing of the failed request is kept.
    """

    def handle_user_exception(self, e: Exception) -> Any:
        uow.discard()  # nothing a failed view did may stay, nor may its jobs leave
        return super().handle_user_exception(e)

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        """Static URLs carry the files' content hash: the browser may keep them a year."""
        if request.endpoint == "static":
            return assets.YEAR
        return super().get_send_file_max_age(filename)

    def finalize_request(self, rv: Any, from_error_handler: bool = False) -> Response:
        response = self.make_response(rv)
        if not from_error_handler:
            try:
                uow.finish_request(response.status_code)
            except Exception as error:
                uow.discard()
                _reopen_session(self)
                response = self.make_response(self.handle_user_exception(error))
                return super().finalize_request(response, from_error_handler=True)
        return super().finalize_request(response, from_error_handler)


def _reopen_session(app: Flask) -> None:
    """Put back in the session what the request's cookie held (the view may have written
    into it, say "filed as ABCD-2345", for a change that was not kept)."""
    brought: dict[str, Any] = dict(app.session_interface.open_session(app, request) or {})
    session.clear()
    session.update(brought)


def create_app(config: Config | None = None) -> App:
    config = config or Config.from_env()
    config.check()
    config.use_local_secret()
    configure_logging(config)
    app = App(
        __name__,
        instance_path=config.INSTANCE_PATH,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(assets.STATIC),
        static_url_path=assets.static_url_path(),
    )
    app.config.update(config.flask_settings())
    if config.PROXY_COUNT:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = config.PROXY_COUNT
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    Path(config.INSTANCE_PATH).mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    with app.app_context():
        ping_after_idle(db.engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    csrf.init_app(app)
    for name in FEATURES:
        import_module(name).init_app(app)
    import grievance.models  # noqa: F401  (mappers must exist before the first query)

    return app
