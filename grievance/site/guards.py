"""Parameters no page can use are a 400, never a 500.

Before any view: control characters in the query string, and paging numbers out of range
(an OFFSET past what the database counts in). The partner API (/api/) checks its query
against its own schema and answers in its own format, so it is left to it.

Whatever still reaches the database unusable (a NUL byte in a form field, which
PostgreSQL refuses in text; a number past a column's range) is answered with a 400 too,
after the unit of work has rolled back: forms that check their text themselves keep their
own messages beside the field. The engine hides statement parameters (config.py), so the
error logged never quotes what was typed."""

from __future__ import annotations

import logging
import re

from flask import Flask, request
from sqlalchemy.exc import DataError
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response

log = logging.getLogger(__name__)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab, line feeds allowed
NUMERIC = frozenset({"page", "per_page", "limit", "offset"})
MAX_DIGITS = 6  # page 999 999 at most
OWN_CHECKS = ("/api/",)


class UnusableParameter(BadRequest):
    """A 400 naming the parameter (never its value), for machine interfaces to report."""

    def __init__(self, parameter: str) -> None:
        super().__init__()
        self.parameter = CONTROL.sub("", parameter)[:40]


def _bad_number(name: str, value: str) -> bool:
    return name in NUMERIC and value != "" and not (value.isascii() and value.isdigit()
                                                    and len(value) <= MAX_DIGITS)  # fmt: skip


def refuse_unusable_parameters() -> None:
    if not request.query_string or request.path.startswith(OWN_CHECKS):
        return
    for name, value in request.args.items(multi=True):
        if CONTROL.search(name) or CONTROL.search(value) or _bad_number(name, value):
            raise UnusableParameter(name)


def unusable_value(error: Exception) -> Response:
    """The database (or its driver) refused a value: a NUL in text, a number out of range."""
    from grievance.site.errors import http_error

    log.warning(
        "unusable value method=%s endpoint=%s error=%s",
        request.method,
        request.endpoint,
        type(getattr(error, "orig", error)).__name__,
    )
    return http_error(BadRequest())


def init_app(app: Flask) -> None:
    app.before_request(refuse_unusable_parameters)
    app.register_error_handler(DataError, unusable_value)
    app.register_error_handler(OverflowError, unusable_value)  # SQLite: an int past 64 bits
