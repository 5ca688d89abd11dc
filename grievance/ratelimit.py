"""Rate limits (Flask-Limiter), one limiter for every feature that needs one.

Counters live in Redis when REDIS_URL is set, so all web processes share them; in
embedded mode they live in the process's memory. If Redis stops answering, the limiter
falls back to memory rather than failing the request.

Use it in a views module:

    from grievance.ratelimit import limiter, setting

    @limiter.limit(setting("TRACK_LIMIT_PER_CLIENT"), methods=["POST"])
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from flask import Flask, current_app, render_template
from flask_babel import ngettext
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from werkzeug.wrappers import Response


def client_key() -> str:
    """The client's address (behind a proxy, PROXY_COUNT lets ProxyFix find the real one)."""
    return get_remote_address() or "unknown"


limiter = Limiter(
    key_func=client_key,
    in_memory_fallback_enabled=True,
    swallow_errors=True,
)


def init_app(app: Flask) -> None:
    cfg = app.config["SAMLENG"]
    app.config.setdefault("RATELIMIT_ENABLED", cfg.RATELIMIT_ENABLED)
    app.config.setdefault("RATELIMIT_STORAGE_URI", cfg.REDIS_URL or "memory://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "samleng")
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, too_many_requests)


def setting(name: str) -> Callable[[], str]:
    """A limit read from the typed config at request time (tests and benches change it)."""

    def limit() -> str:
        return str(getattr(current_app.config["SAMLENG"], name))

    return limit


def wait_seconds() -> int:
    """Seconds until the limit that was hit opens again (at least 1)."""
    current = limiter.current_limit
    if current is None:
        return 60
    # Flask-Limiter rounds the reset time up by one second; take it back off.
    return max(1, math.ceil(current.reset_at - 1 - time.time()))


def too_many_requests(error: RateLimitExceeded) -> Response:
    seconds = wait_seconds()
    minutes = math.ceil(seconds / 60)
    message = ngettext(
        "Too many tries. Please wait %(num)d minute and try again.",
        "Too many tries. Please wait %(num)d minutes and try again.",
        minutes,
    )
    html = render_template("web/error.html", code=429, message=message)
    response = Response(html, status=429, mimetype="text/html")
    response.headers["Retry-After"] = str(seconds)
    response.headers["Cache-Control"] = "no-store"
    return response
