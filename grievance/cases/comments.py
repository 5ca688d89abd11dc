"""Comments on a case: internal notes for staff, or public messages the complainant sees."""

from __future__ import annotations

from grievance.cases import events
from grievance.cases.models import Case, CaseEvent
from grievance.errors import DomainError
from grievance.extensions import db
from grievance.text import clean_text

MAX_COMMENT = 5000


def add_comment(
    case: Case, *, actor_id: int | None, actor_role: str, text: str, public: bool
) -> CaseEvent:
    body = clean_text(text)
    if not body:
        raise DomainError("empty_comment")
    if len(body) > MAX_COMMENT:
        raise DomainError("comment_too_long")
    event = events.record(
        case,
        "comment",
        actor_id=actor_id,
        actor_role=actor_role,
        public=public,
        data={"text": body},
    )
    db.session.flush()
    return event
