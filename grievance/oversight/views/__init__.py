"""Oversight pages: `public` (the accountability dashboard, open data, forum follow-up),
`staff` (oversight figures, redacted cases, exports; on the same blueprint) and `open311`
(GeoReport v2 at /open311/v2)."""

from __future__ import annotations

from grievance.oversight.views import open311, public, staff  # noqa: F401  (their routes)
from grievance.oversight.views.blueprint import bp

open311_bp = open311.bp

__all__ = ["bp", "open311_bp"]
