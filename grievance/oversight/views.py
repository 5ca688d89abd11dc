"""Web views of the oversight feature."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("oversight", __name__)
