"""Reply templates: texts officers start from instead of typing the same answer again, in
Khmer and English (the case's language is used). Admins keep them; officers pick one on
the case page and edit the text before sending."""

from __future__ import annotations

from sqlalchemy import select

from grievance.auth.models import User
from grievance.cases.models import ReplyTemplate
from grievance.errors import DomainError, Forbidden
from grievance.extensions import db
from grievance.text import clean_text
from workflows.i18n import N_

# What a template is for: the field of the case page it fills.
PURPOSES = {
    "question": N_("A question to the complainant"),
    "answer": N_("A proposed resolution"),
    "message": N_("A message to the complainant"),
}
FIELDS = {"question": "comment", "answer": "resolution", "message": "text"}
MAX_TITLE = 120
MAX_BODY = 5000


def active() -> list[ReplyTemplate]:
    query = select(ReplyTemplate).where(ReplyTemplate.active.is_(True))
    return list(db.session.scalars(query.order_by(ReplyTemplate.purpose, ReplyTemplate.title)))


def every() -> list[ReplyTemplate]:
    query = select(ReplyTemplate).order_by(ReplyTemplate.active.desc(), ReplyTemplate.title)
    return list(db.session.scalars(query))


def save(
    actor: User,
    *,
    template_id: int | None,
    title: str,
    purpose: str,
    body_km: str,
    body_en: str,
    active: bool = True,
) -> ReplyTemplate:
    if not actor.has_role("admin"):
        raise Forbidden("not_an_admin")
    title, body_km, body_en = clean_text(title), clean_text(body_km), clean_text(body_en)
    if purpose not in PURPOSES:
        raise DomainError("unknown_purpose")
    if not (title and body_km and body_en):
        raise DomainError("reply_incomplete")
    if len(title) > MAX_TITLE or max(len(body_km), len(body_en)) > MAX_BODY:
        raise DomainError("comment_too_long")
    template = db.session.get(ReplyTemplate, template_id) if template_id else ReplyTemplate()
    if template is None:
        raise DomainError("unknown_reply")
    template.title, template.purpose = title, purpose
    template.body_km, template.body_en, template.active = body_km, body_en, active
    db.session.add(template)
    db.session.flush()
    return template
