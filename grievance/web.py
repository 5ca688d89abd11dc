"""Landing page, the staff home and error pages."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import HTTPException

from grievance.domain import ROLES
from grievance.errors import DomainError

bp = Blueprint("web", __name__)


@bp.get("/")
def landing() -> str:
    return render_template("web/landing.html")


@bp.get("/soon/<any(file):feature>")
def coming_soon(feature: str) -> str:
    return render_template("web/coming_soon.html", feature=feature)


@bp.get("/staff")
@login_required
def staff_home() -> str:
    roles = sorted(current_user.role_names)
    return render_template("web/staff_home.html", roles=roles, role_labels=ROLES)


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException) -> tuple[str, int]:
    code = error.code or 500
    return render_template("web/error.html", code=code, message=_error_message(code)), code


@bp.app_errorhandler(DomainError)
def domain_error(error: DomainError) -> tuple[str, int]:
    return render_template("web/error.html", code=error.status, message=error.detail), error.status


def _error_message(code: int) -> str:
    messages = {
        400: _("The request could not be understood. Please go back and try again."),
        403: _("You do not have permission to see this page."),
        404: _("This page does not exist."),
        405: _("This action is not possible here."),
        409: _("Someone else changed this at the same time. Please reload and try again."),
        413: _("What you sent is too large."),
        429: _("Too many attempts. Please wait a little and try again."),
    }
    return messages.get(code, _("Something went wrong on our side. Please try again."))
