"""Login, logout, the role check and the user loader."""

from __future__ import annotations

from flask import Flask

from grievance.auth.decorators import roles_required
from grievance.auth.services import load_user


def init_app(app: Flask) -> None:
    from grievance.auth import sessions
    from grievance.auth.cli import users
    from grievance.auth.views import bp
    from grievance.extensions import login_manager

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = ""  # the login page says it itself, translated
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_user)
    app.register_blueprint(bp)
    app.cli.add_command(users)
    sessions.init_app(app)


__all__ = ["init_app", "roles_required"]
