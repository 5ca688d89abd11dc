"""Language choice and the template helpers that depend on it."""

from __future__ import annotations

from typing import Any

from flask import Flask, has_request_context, request, session
from flask_babel import get_locale, gettext
from flask_login import current_user

from grievance import formats

LOCALES = ("km", "en")


def select_locale() -> str:
    asked = request.args.get("lang")
    if asked in LOCALES:
        session["lang"] = asked
        return asked
    chosen = session.get("lang")
    if chosen in LOCALES:
        return str(chosen)
    if current_user and current_user.is_authenticated:
        return str(current_user.language)
    return "km"  # the public side speaks Khmer first


def select_timezone() -> str:
    return "Asia/Phnom_Penh"


def lang() -> str:
    """The reader's language; Khmer outside a request (jobs and commands)."""
    if not has_request_context():
        return "km"
    return str(get_locale() or "km")


def label(msgid: str) -> str:
    """Translate a msgid kept in data (workflow labels, vocabularies)."""
    return gettext(msgid) if msgid else ""


def init_app(app: Flask) -> None:
    formats.init_app(app)

    @app.context_processor
    def inject() -> dict[str, Any]:
        return {"lang": lang(), "label": label}

    @app.before_request
    def remember_locale() -> None:
        # A ?lang= choice is stored in the session even when no page is rendered. (A look
        # at the raw query string first: most requests have none to parse.)
        if b"lang=" in request.query_string and "lang" in request.args:
            lang()
