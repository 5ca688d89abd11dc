"""Web views of the intake feature."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("intake", __name__)
