"""Security headers on every response, and no caching of pages that may carry personal data."""

from __future__ import annotations

from flask import Flask, request
from flask_login import current_user
from werkzeug.wrappers import Response

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# No page uses these powerful features; nothing embedded may ask for them either.
PERMISSIONS = ", ".join(
    f"{feature}=()"
    for feature in (
        "camera", "microphone", "geolocation", "payment", "usb", "serial", "bluetooth",
        "display-capture", "interest-cohort", "browsing-topics",
    )
)  # fmt: skip
# Public pages with no personal data, which phones and proxies may keep for a while.
CACHEABLE = frozenset({"static", "favicon", "web.landing", "health.healthz"})


def secure_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", PERMISSIONS)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint == "static" and response.status_code == 200:
        headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response
    personal = request.endpoint not in CACHEABLE or current_user.is_authenticated
    if personal and request.endpoint not in ("static", "favicon"):
        headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.after_request(secure_headers)
