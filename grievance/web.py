"""Landing page, the staff home and error pages."""

from __future__ import annotations

import logging
from contextlib import suppress

from flask import Blueprint, Response, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from grievance.domain import ROLES
from grievance.errors import DomainError
from grievance.jobs import rollback

bp = Blueprint("web", __name__)
log = logging.getLogger(__name__)
RETRY_AFTER = "5"


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


@bp.app_errorhandler(OperationalError)
@bp.app_errorhandler(InterfaceError)
def database_unavailable(error: Exception) -> Response:
    """The database went away (a dropped connection, a failover, a lock timeout), most
    often at the commit. The transaction is rolled back, so nothing of the request was
    kept (its uploaded files are deleted and its jobs dropped with it); the pool replaces
    the dead connection (pool_pre_ping), so trying again works once the database answers.
    """
    # The class name only: the error's text can quote the statement's parameters.
    log.warning(
        "database unavailable during %s %s: %s",
        request.method,
        request.endpoint,
        type(getattr(error, "orig", error)).__name__,
    )
    with suppress(Exception):
        rollback()
    if request.path.startswith("/api/"):
        response = jsonify({"error": "unavailable", "message": UNAVAILABLE_API})
    else:
        try:
            html = render_template("web/error.html", code=503, message=unavailable_message())
        except Exception:  # the page itself needs the database (the signed-in user)
            html = _PLAIN_UNAVAILABLE
        response = Response(html, mimetype="text/html")
    response.status_code = 503
    response.headers["Retry-After"] = RETRY_AFTER
    response.headers["Cache-Control"] = "no-store"
    return response


UNAVAILABLE_API = "The database is unavailable; nothing was saved. Try again."
_PLAIN_UNAVAILABLE = (
    "<!doctype html><meta charset=utf-8><title>503</title>"
    "<p lang=km>យើងមិនអាចរក្សាទុកវាបានទេនៅពេលនេះ ហើយគ្មានអ្វីត្រូវបានរក្សាទុកឡើយ។ "
    "សូមព្យាយាមម្តងទៀតបន្តិចទៀត។</p>"
    "<p lang=en>We could not save this just now, and nothing was kept. "
    "Please try again in a moment.</p>"
)


def unavailable_message() -> str:
    return _("We could not save this just now, and nothing was kept. Please try again in a moment.")


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
