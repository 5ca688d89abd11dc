"""Web views of the queues feature."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("queues", __name__)
