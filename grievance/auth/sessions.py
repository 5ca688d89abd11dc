"""Staff session rules: fresh at login, idle and absolute timeouts, ending sessions
everywhere through the per-user session version."""

from __future__ import annotations

import time

from flask import Flask, flash, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from grievance.auth.models import User
from grievance.extensions import login_manager
from grievance.types import utcnow

IDLE_SECONDS = 30 * 60
ABSOLUTE_SECONDS = 12 * 60 * 60


def start(user: User) -> None:
    """A brand-new session for `user`: nothing from before the login survives."""
    language = session.get("lang")
    session.clear()
    login_user(user)
    now = int(time.time())
    session["auth_at"] = now
    session["seen_at"] = now
    session["lang"] = language or user.language
    user.last_login_at = utcnow()


def end_everywhere(user: User) -> None:
    """Every session of this user stops working, on every device, at its next request."""
    user.session_version = (user.session_version or 1) + 1


def _expired() -> bool:
    now = int(time.time())
    auth_at = int(session.get("auth_at", 0))
    seen_at = int(session.get("seen_at", 0))
    return now - seen_at > IDLE_SECONDS or now - auth_at > ABSOLUTE_SECONDS


def enforce_timeouts() -> Response | None:
    if "_user_id" not in session:
        # Nobody signed in: the request's user is the anonymous one, without asking
        # Flask-Login, whose strong session protection would otherwise find a session
        # with no identity mark (a complainant's: her case, her language), empty it of
        # login keys that are not there, and so re-sign her cookie and send a "forget me"
        # cookie on every public page. There is no signed-in user to protect.
        g._login_user = login_manager.anonymous_user()
        return None
    if request.endpoint in (None, "static"):
        return None
    if not current_user.is_authenticated:
        return None
    if _expired():
        logout_user()
        session.clear()
        flash(_("You were signed out because the session expired. Please sign in again."), "info")
        return redirect(
            url_for("auth.login", next=request.path if request.method == "GET" else None)
        )
    session["seen_at"] = int(time.time())
    return None


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions with the signing serializer built once per key, not
    twice per request (the public pages are hot paths: see bench/)."""

    def __init__(self) -> None:
        self._serializers: dict[tuple[object, ...], object] = {}

    def get_signing_serializer(self, app: Flask):  # type: ignore[no-untyped-def]
        key = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        serializer = self._serializers.get(key)
        if serializer is None:
            serializer = self._serializers[key] = super().get_signing_serializer(app)
        return serializer


def init_app(app: Flask) -> None:
    app.session_interface = CookieSessions()
    app.before_request(enforce_timeouts)
