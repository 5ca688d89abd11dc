"""The `oversight` blueprint, shared by the public and the staff pages (one URL space:
/accountability for everyone, /oversight for staff)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("oversight", __name__)
