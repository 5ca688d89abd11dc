"""Administration screens."""

from __future__ import annotations

from flask import Blueprint, render_template

from grievance.auth import roles_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@roles_required("admin")
def index() -> str:
    return render_template("admin/index.html")
