"""Notices: what a case change means someone should be told.

Case services emit notices; the notifications package subscribes in create_app and turns
them into outbox rows in the same transaction. `grievance` never imports `notifications`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app


@dataclass(frozen=True)
class Notice:
    case_id: int
    event_seq: int  # with case_id, makes idempotency keys: one message per event
    template: str  # e.g. "filed", "acknowledged", "assigned", "sla_breach"
    target: str  # complainant | assignee | supervisor | oversight | user
    user_id: int | None = None  # when target is a specific staff user
    context: dict[str, Any] = field(default_factory=dict)  # ids and codes only


Handler = Callable[[Notice], None]


def subscribe(handler: Handler) -> None:
    current_app.extensions.setdefault("samleng.notice_handlers", []).append(handler)


def emit(notice: Notice) -> None:
    for handler in current_app.extensions.get("samleng.notice_handlers", []):
        handler(notice)
