"""Parameters no page can use, refused with a 400 before any view runs: control
characters in the query string, a NUL byte anywhere in a form (PostgreSQL refuses NUL in
text, and the error would be a 500), and paging numbers out of range (an OFFSET past what
the database counts in)."""

from __future__ import annotations

import re

from flask import Flask, request
from werkzeug.exceptions import BadRequest

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab, line feeds allowed
NUMERIC = frozenset({"page", "per_page", "limit", "offset"})
MAX_DIGITS = 6  # page 999 999 at most


class UnusableParameter(BadRequest):
    """A 400 naming the parameter (never its value), for machine interfaces to report."""

    def __init__(self, parameter: str) -> None:
        super().__init__()
        self.parameter = CONTROL.sub("", parameter)[:40]


def _bad_number(name: str, value: str) -> bool:
    return name in NUMERIC and value != "" and not (value.isascii() and value.isdigit()
                                                    and len(value) <= MAX_DIGITS)  # fmt: skip


def refuse_unusable_parameters() -> None:
    for name, value in request.args.items(multi=True):
        if CONTROL.search(name) or CONTROL.search(value) or _bad_number(name, value):
            raise UnusableParameter(name)
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        for name, value in request.form.items(multi=True):
            if "\x00" in name or "\x00" in value or _bad_number(name, value):
                raise UnusableParameter(name)


def init_app(app: Flask) -> None:
    app.before_request(refuse_unusable_parameters)
