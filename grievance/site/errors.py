"""Error pages for people, in their language. Machine interfaces (the partner API, Open311,
webhooks) register their own error format for their URL prefix (`machine_errors`), which
also covers routing errors (an unknown URL, a wrong method), raised before any blueprint is
chosen. HTTP errors keep their protocol headers (`Allow` on a 405, `Retry-After` on a 429
or 503)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask.globals import request_ctx
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, ServiceUnavailable
from werkzeug.wrappers import Response as WerkzeugResponse

from grievance.errors import DomainError
from grievance.refusals import explain

log = logging.getLogger(__name__)
RETRY_AFTER = "5"


ErrorFormat = Callable[[HTTPException], WerkzeugResponse]
_FORMATS = "samleng.machine_errors"
PROTOCOL_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After")


def machine_errors(app: Flask, prefix: str, render: ErrorFormat) -> None:
    """Answer every HTTP error under `prefix` with `render` instead of an HTML page."""
    app.extensions.setdefault(_FORMATS, []).append((prefix, render))


def _machine_format(app: Flask) -> ErrorFormat | None:
    for prefix, render in app.extensions.get(_FORMATS, []):
        if request.path.startswith(prefix):
            return render
    return None


def with_protocol_headers(error: HTTPException, response: WerkzeugResponse) -> WerkzeugResponse:
    for name, value in error.get_response().headers.items():
        if name in PROTOCOL_HEADERS and name not in response.headers:
            response.headers[name] = value
    return response


def http_error(error: HTTPException) -> WerkzeugResponse:
    render = _machine_format(current_app)
    if render is not None:
        return with_protocol_headers(error, render(error))
    code = error.code or 500
    if request_ctx.url_adapter is None:  # an untrusted Host: no page can build its links
        return with_protocol_headers(error, Response(_plain(code), code, mimetype="text/html"))
    if code == 403:
        user = current_user.get_id() if current_user else None
        log.warning("access denied endpoint=%s user=%s", request.endpoint, user or "-")
    html = render_template("web/error.html", code=code, message=_error_message(code))
    response = error.get_response()  # keeps the protocol headers (Allow, WWW-Authenticate)
    response.set_data(html)
    response.mimetype = "text/html"
    return response


def domain_error(error: DomainError) -> tuple[str, int]:
    """A refusal no view turned into a message of its own: the page for its status."""
    message = explain(error, _error_message(error.status))
    return render_template("web/error.html", code=error.status, message=message), error.status


def database_unavailable(error: Exception) -> WerkzeugResponse:
    """The database went away (a dropped connection, a failover, a lock timeout), most
    often at the commit. The unit of work was rolled back, so nothing of the request was
    kept (its uploaded files are deleted and its jobs dropped with it); the pool replaces
    the dead connection (extensions.ping_after_idle), so trying again works once the
    database answers.
    """
    # The class name only: the error's text can quote the statement's parameters.
    log.warning(
        "database unavailable method=%s endpoint=%s error=%s",
        request.method,
        request.endpoint,
        type(getattr(error, "orig", error)).__name__,
    )
    render = _machine_format(current_app)
    response: WerkzeugResponse
    if request.path.startswith("/api/"):
        response = jsonify({"error": "unavailable", "message": UNAVAILABLE_API})
    elif render is not None:
        response = render(ServiceUnavailable())
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


def _plain(code: int) -> str:
    return (
        f"<!doctype html><meta charset=utf-8><title>{code}</title>"
        "<p lang=km>សំណើនេះមិនត្រឹមត្រូវទេ។</p><p lang=en>This request is not valid.</p>"
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


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(DomainError, domain_error)
    app.register_error_handler(OperationalError, database_unavailable)
    app.register_error_handler(InterfaceError, database_unavailable)
