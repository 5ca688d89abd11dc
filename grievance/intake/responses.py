"""Response helpers shared by the intake views."""

from __future__ import annotations

from werkzeug.wrappers import Response


def no_store(html: str, status: int = 200) -> Response:
    """Pages that show a tracking secret or typed personal data: never cached anywhere."""
    response = Response(html, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response
