"""Language choice and the template helpers that depend on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary

from flask import Flask, g, has_app_context, has_request_context, request, session
from flask_babel import get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

from grievance import formats

LOCALES = ("km", "en")


def select_locale() -> str:
    if not has_request_context():
        return "km"  # a job or command that formats a date or a number: Khmer first
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


_KEPT = "samleng_translations"


def translations() -> Any:
    """The reader's catalogue, found once per request and locale. (Flask-Babel finds it
    anew for every string, three context look-ups each, and a page has dozens of strings;
    `force_locale` replaces the locale object, so a forced language is found afresh.)"""
    if not has_app_context():
        return get_translations()
    ns = g.get("_flask_babel")
    kept = getattr(ns, _KEPT, None)
    if kept is not None and kept[0] is getattr(ns, "babel_locale", None):
        return kept[1]
    found = get_translations()
    ns = g.get("_flask_babel")
    if ns is not None and getattr(ns, "babel_locale", None) is not None:
        setattr(ns, _KEPT, (ns.babel_locale, found))
    return found


def label(msgid: str) -> str:
    """Translate a msgid kept in data (workflow labels, vocabularies)."""
    return str(translations().ugettext(msgid)) if msgid else ""


def _translator(catalogue: Any) -> Callable[..., str]:
    """`_()` for templates, as Jinja's newstyle gettext does it (escaped text, always a
    format string) but in one call, where Jinja's own goes through three; a page has dozens
    of strings. With a `catalogue`, a string without values is escaped and formatted once."""
    done: dict[str, str] = {}

    @pass_eval_context
    def translate(eval_ctx: EvalContext, string: str, **variables: Any) -> str:
        if catalogue is not None and not variables and eval_ctx.autoescape:
            found = done.get(string)
            if found is None:
                found = done[string] = Markup(catalogue.ugettext(string)) % {}  # noqa: S704
            return found
        text: str = (catalogue or translations()).ugettext(string)
        if eval_ctx.autoescape:
            text = Markup(text)  # noqa: S704 - our own catalogue, as Jinja's gettext does
        return text % variables

    return translate


def _labeller(catalogue: Any) -> Callable[[str], str]:
    return lambda msgid: str(catalogue.ugettext(msgid)) if msgid else ""


# The template helpers of each catalogue, made once (a catalogue lives as long as the app).
_HELPERS: WeakKeyDictionary[Any, dict[str, Callable[..., str]]] = WeakKeyDictionary()


def _helpers(catalogue: Any) -> dict[str, Callable[..., str]]:
    found = _HELPERS.get(catalogue)
    if found is None:
        found = _HELPERS[catalogue] = {
            "label": _labeller(catalogue),
            "_": _translator(catalogue),
        }
    return found


def init_app(app: Flask) -> None:
    formats.init_app(app)
    # Templates translate through the catalogue kept for the request (see translations).
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )

    # Macros imported alone and templates rendered outside a request find the catalogue
    # for each string; a page finds it once, as it starts.
    app.jinja_env.globals["_"] = _translator(None)

    @app.context_processor
    def inject() -> dict[str, Any]:
        return {"lang": lang(), **_helpers(translations())}

    @app.before_request
    def remember_locale() -> None:
        # A ?lang= choice is stored in the session even when no page is rendered. (A look
        # at the raw query string first: most requests have none to parse.)
        if b"lang=" in request.query_string and "lang" in request.args:
            lang()
