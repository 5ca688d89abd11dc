"""Notices: what a change means someone should be told.

Services emit signals; the notifications package subscribes in create_app and turns them
into outbox rows (or cancels rows) in the same transaction. `grievance` never imports
`notifications`.

- `Notice`: a case change someone should hear about.
- `StaffAlert`: something about many cases staff in some roles should hear of (a proposed
  systemic case, a spike in a weekly count); its key makes it one message per recipient.
- `Notices`: many case notices at once (a batch of cases): a subscriber writes them in a
  few statements. Emitted by `batched()`, which holds the notices emitted inside it.
- `ContactOptedOut`: an address asked for no more messages on a channel (an SMS STOP). The
  opt-out itself is recorded on the grievance side (`grievance.cases.people`), where the
  relay reads it before every send; the signal lets the outbox cancel what already waits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app


@dataclass(frozen=True)
class Notice:
    case_id: int
    event_seq: int  # with case_id, makes idempotency keys: one message per event
    template: str  # e.g. "filed", "acknowledged", "assigned", "sla_breach"
    target: str  # complainant | member | assignee | supervisor | oversight | user
    user_id: int | None = None  # when target is a specific staff user
    person_id: int | None = None  # when target is a member listed on a collective case
    context: dict[str, Any] = field(default_factory=dict)  # ids and codes only


@dataclass(frozen=True)
class Notices:
    items: tuple[Notice, ...]  # in the order they were emitted


@dataclass(frozen=True)
class StaffAlert:
    key: str  # e.g. "cluster:12": with the recipient, one message however often emitted
    template: str  # e.g. "systemic_proposed", "spike"
    roles: tuple[str, ...]  # every active user holding one of them, for the province
    province_code: str | None = None  # None: users of every scope
    context: dict[str, Any] = field(default_factory=dict)  # counts and codes only


@dataclass(frozen=True)
class ContactOptedOut:
    channel: str  # the delivery channel, e.g. "sms"
    address: str  # E.164 for SMS
    at: datetime


Handler = Callable[[Any], None]
_HELD: ContextVar[list[Notice] | None] = ContextVar("samleng_held_notices", default=None)


def _key(kind: type) -> str:
    return f"samleng.handlers.{kind.__name__}"


def subscribe(handler: Handler, kind: type = Notice) -> None:
    """Call `handler` with every signal of `kind` emitted in this app."""
    current_app.extensions.setdefault(_key(kind), []).append(handler)


def emit(signal: Notice | Notices | StaffAlert | ContactOptedOut) -> None:
    held = _HELD.get()
    if held is not None and isinstance(signal, Notice):
        held.append(signal)
        return
    if isinstance(signal, Notices) and not current_app.extensions.get(_key(Notices)):
        for notice in signal.items:  # nobody takes them in bulk: one by one
            emit(notice)
        return
    for handler in current_app.extensions.get(_key(type(signal)), []):
        handler(signal)


@contextmanager
def batched() -> Iterator[list[Notice]]:
    """Hold the notices emitted inside, then emit them as one `Notices` (same notices,
    same order, written together). Nothing is emitted if the block raises."""
    held: list[Notice] = []
    token = _HELD.set(held)
    try:
        yield held
    finally:
        _HELD.reset(token)
    if held:
        emit(Notices(tuple(held)))
