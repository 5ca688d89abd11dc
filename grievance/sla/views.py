"""Web views of the sla feature."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("sla", __name__)
