"""The landing page and the staff home."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from grievance.domain import ROLES
from grievance.queues import home
from grievance.types import utcnow

bp = Blueprint("web", __name__)
WORKERS = ("officer", "supervisor")


@bp.get("/")
def landing() -> str:
    return render_template("web/landing.html")


@bp.get("/staff")
@login_required
def staff_home() -> ResponseReturnValue:
    roles = sorted(current_user.role_names)
    if roles == ["representative"]:  # a representative's home is its organisation's cases
        return redirect(url_for("intake.desk.rep_cases"))
    work = home.home(current_user, utcnow()) if current_user.has_role(*WORKERS) else None
    health = None
    if current_user.has_role("supervisor", "admin"):  # they can put people in queues
        from grievance.admin.queries import queue_health
        from grievance.cases.policy import provinces_of

        health = queue_health(provinces_of(current_user))
    return render_template(
        "web/staff_home.html", roles=roles, role_labels=ROLES, work=work, health=health
    )


def public_numbers() -> dict[str, str]:
    """The hotline and SMS numbers every public page shows (template variables)."""
    cfg = current_app.config["SAMLENG"]
    return {"hotline_number": cfg.HOTLINE_NUMBER, "sms_number": cfg.SMS_NUMBER}
