"""What a message to a complainant may say about her case: the one rule that SMS texts, chat
notices and chat replies (/status, "my cases", the answers to her steps) all ask.

Phones are shared: a sister, a husband or a supervisor may read the message first. On a
discreet case (restricted: the sensitive categories, always; confidential: she asked for it
on the form, the hotline or the chat) a message says only that there is news and where to
read it after her codes: never the category, the employer or facility, nor the officer's
words. On other cases a message may name them, so she knows which case it is about.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from grievance.cases.models import Case, CaseEvent
from grievance.extensions import db

QUESTION_STEPS = frozenset({"request_information"})


def discreet(case: Case) -> bool:
    """Whether messages about the case must reveal nothing of it."""
    return case.confidentiality != "normal"


@dataclass(frozen=True)
class MaySay:
    """The parts of a case a message may carry; empty strings when it is discreet."""

    discreet: bool
    subject: str  # the category, and the employer or facility when known
    question: str  # the officer's words that the message is about (or that wait for her)


def may_say(case: Case, language: str, event_seq: int | None = None) -> MaySay:
    """What a message in `language` may say about `case`. `event_seq` names the timeline
    entry the message is about (a question, an officer's message); without it, the
    question waiting for her answer, if any."""
    if discreet(case):
        return MaySay(True, "", "")
    return MaySay(False, _subject(case, language), _question(case, event_seq))


def _subject(case: Case, language: str) -> str:
    category = case.category
    name = category.name_km if language == "km" else category.name_en
    employer = " ".join((case.concerned_name or "").split())
    return f"{name} ({employer})" if employer else name


def _question(case: Case, event_seq: int | None) -> str:
    """The officer's words, read from the timeline (never copied into the outbox)."""
    if event_seq is not None:
        data = db.session.scalar(
            select(CaseEvent.data).where(CaseEvent.case_id == case.id, CaseEvent.seq == event_seq)
        )
    elif case.state == "awaiting_complainant":
        data = next(
            (
                d
                for d in db.session.scalars(
                    select(CaseEvent.data)
                    .where(CaseEvent.case_id == case.id, CaseEvent.kind == "transition")
                    .order_by(CaseEvent.seq.desc())
                    .limit(5)
                )
                if (d or {}).get("transition") in QUESTION_STEPS
            ),
            None,
        )
    else:
        return ""
    data = data or {}  # a step's question, or an officer's message to her
    return " ".join(str(data.get("comment") or data.get("text") or "").split())
