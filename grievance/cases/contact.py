"""Reaching the complainant from the case: a message she reads on her status page and gets
by SMS (when she agreed to be contacted), and a note of a phone call with her.

Only the case's officer and supervisors write to her. The SMS is composed by the
notifications package from the timeline entry (discreet on confidential and restricted
cases, like every other text she gets)."""

from __future__ import annotations

from dataclasses import dataclass

from grievance.auth.models import User
from grievance.cases import events, transitions
from grievance.cases.models import Case, CaseEvent
from grievance.effects import Notice, emit
from grievance.errors import DomainError, Forbidden
from grievance.extensions import db
from grievance.text import clean_text

MAX_MESSAGE = 1000
MAX_NOTE = 5000
DIRECTIONS = ("in", "out")


@dataclass(frozen=True)
class Sent:
    event: CaseEvent
    by_sms: bool  # False: she reads it on her status page only (no phone, or no consent)


def _may_contact(user: User, case: Case) -> None:
    if not (case.assignee_id == user.id or user.has_role("supervisor")):
        raise Forbidden("not_your_case")


def message_complainant(case: Case, user: User, text: str) -> Sent:
    _may_contact(user, case)
    person = case.complainant
    if person is None:
        raise DomainError("anonymous_complainant")
    body = _text(text, MAX_MESSAGE)
    event = events.record(
        case,
        "comment",
        actor_id=user.id,
        actor_role=transitions.actor_role(user),
        public=True,
        data={"text": body, "sms": True},
    )
    db.session.flush()
    emit(Notice(case.id, event.seq, "officer_message", "complainant"))
    return Sent(event, bool(person.phone and person.consent_to_contact))


def log_call(case: Case, user: User, direction: str, note: str) -> CaseEvent:
    _may_contact(user, case)
    if direction not in DIRECTIONS:
        raise DomainError("bad_direction")
    body = _text(note, MAX_NOTE)
    event = events.record(
        case,
        "call",
        actor_id=user.id,
        actor_role=transitions.actor_role(user),
        public=False,
        data={"direction": direction, "text": body},
    )
    db.session.flush()
    return event


def _text(text: str, limit: int) -> str:
    body = clean_text(text)
    if not body:
        raise DomainError("empty_comment")
    if len(body) > limit:
        raise DomainError("comment_too_long")
    return body
