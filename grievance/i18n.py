"""Language choice and the template helpers that depend on it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, g, request, session
from flask_babel import format_datetime, get_locale, gettext
from flask_login import current_user

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
    return str(get_locale() or "km")


def local_time(value: datetime | None, fmt: str = "medium") -> str:
    """A UTC time shown in Phnom Penh time, formatted for the current language."""
    return "" if value is None else format_datetime(value, fmt)


def label(msgid: str) -> str:
    """Translate a msgid kept in data (workflow labels, vocabularies)."""
    return gettext(msgid) if msgid else ""


def init_app(app: Flask) -> None:
    @app.context_processor
    def inject() -> dict[str, Any]:
        return {"lang": lang(), "label": label, "local_time": local_time}

    @app.before_request
    def remember_locale() -> None:
        g.lang = lang()
