"""Domain errors raised by services; views map them to HTTP answers."""

from __future__ import annotations


class DomainError(Exception):
    """A use case refused. `code` is stable; `detail` is for logs and messages."""

    status = 400

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code, detail)
        self.code = code
        self.detail = detail


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409
