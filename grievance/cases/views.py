"""Web views of the cases feature."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("cases", __name__)
