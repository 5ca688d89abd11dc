"""The complainant's status page (`public`, /track and /t/) and the staff page that gives
a complainant a new secret (`staff`, /cases/<reference>/new-secret)."""

from __future__ import annotations

from grievance.tracking.views import public, staff

bp = public.bp
staff_bp = staff.bp
link = public.link
open_link = public.open_link

__all__ = ["bp", "link", "open_link", "staff_bp"]
