"""Outside services the app talks to or hears from, and the public URLs they are given.

The modules here hold the protocol details (signatures, URL rules) that both intake and
notifications need; `notifications` imports them, `grievance` never imports `notifications`.
"""

from __future__ import annotations

from flask import current_app, request


def public_url(path: str) -> str:
    """An absolute URL under PUBLIC_BASE_URL, as sent in messages and given to providers."""
    base = str(current_app.config["SAMLENG"].PUBLIC_BASE_URL).rstrip("/")
    return base + path


def requested_public_url() -> str:
    """The current request's URL as a provider was given it (PUBLIC_BASE_URL, path and query).
    Behind a proxy the scheme and host the request arrived with can differ from it, and a
    provider signs the URL it was given."""
    query = request.query_string.decode("latin-1")
    return public_url(request.path) + (f"?{query}" if query else "")
