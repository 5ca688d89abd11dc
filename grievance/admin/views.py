"""Administration screens."""

from __future__ import annotations

from flask import Blueprint, render_template

from grievance import nav
from grievance.auth import roles_required

bp = Blueprint("admin", __name__, url_prefix="/admin")
nav.add("admin.index", "Administration", "admin", order=90)
nav.add("admin.workflows", "Workflows", "admin", "supervisor", order=80)


@bp.get("/")
@roles_required("admin")
def index() -> str:
    return render_template("admin/index.html")


@bp.get("/workflows")
@roles_required("admin", "supervisor")
def workflows() -> str:
    from markupsafe import Markup

    from workflows import WORKFLOWS
    from workflows.diagram import to_svg

    # The SVG is generated from our own definitions, never from user input.
    diagrams = {name: Markup(to_svg(wf)) for name, wf in WORKFLOWS.items()}  # noqa: S704
    return render_template("admin/workflows.html", workflows=WORKFLOWS, diagrams=diagrams)


from grievance.admin import users as _users  # noqa: E402,F401  (routes on this blueprint)
