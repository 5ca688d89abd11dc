"""Public follow-up of forums: the concerns raised at each forum and what became of them.

What is published per concern: its type of problem, when it was recorded, its outcome in
plain words (resolved, in progress, referred to another office, not accepted, withdrawn,
joined with another case) and when it was answered. Nothing typed by a person is shown
(no narrative, no resolution text, no agency text: free text can carry names), nor the
complainant's sex or reference. Confidential and restricted concerns are not listed; the
page says that some are handled in confidence, with their number suppressed below 5.
The forum's own record (title, place, dates, organisers, participants) is public.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select

from grievance.cases.models import Case, Category
from grievance.errors import NotFound
from grievance.extensions import db
from grievance.intake.models import Forum
from workflows import WORKFLOWS
from workflows.i18n import N_

OUTCOMES = {
    "resolved": N_("Resolved"),
    "in_progress": N_("In progress"),
    "referred": N_("Referred to another office"),
    "rejected": N_("Not accepted"),
    "withdrawn": N_("Withdrawn"),
    "merged": N_("Joined with another case"),
}
PUBLIC_LEVELS = ("normal",)


def outcome(workflow: str, state: str) -> str:
    if not WORKFLOWS[workflow].is_final(state):
        return "in_progress"
    return {"closed": "resolved"}.get(state, state if state in OUTCOMES else "resolved")


@dataclass(frozen=True)
class Concern:
    category_code: str
    outcome: str
    raised_at: datetime
    answered_at: datetime | None


@dataclass(frozen=True)
class ForumSummary:
    forum: Forum
    listed: int
    resolved: int
    hidden: int  # confidential or restricted, not listed


def forums() -> list[ForumSummary]:
    public = Case.confidentiality.in_(PUBLIC_LEVELS)
    counts = (
        select(
            Case.forum_id,
            func.sum(case((public, 1), else_=0)),
            func.sum(case((public & (Case.state == "closed"), 1), else_=0)),
            func.sum(case((public, 0), else_=1)),
        )
        .where(Case.forum_id.is_not(None))
        .group_by(Case.forum_id)
    )
    by_forum = {row[0]: row[1:] for row in db.session.execute(counts)}
    result = []
    for forum in db.session.scalars(select(Forum).order_by(Forum.start_date.desc(), Forum.id)):
        listed, resolved, hidden = by_forum.get(forum.id, (0, 0, 0))
        result.append(ForumSummary(forum, int(listed or 0), int(resolved or 0), int(hidden or 0)))
    return result


def forum(forum_id: int) -> tuple[Forum, list[Concern], int]:
    """The forum, its listed concerns (oldest first) and how many are not listed."""
    found = db.session.get(Forum, forum_id)
    if found is None:
        raise NotFound("forum_not_found")
    rows = db.session.execute(
        select(
            Category.code,
            Case.workflow,
            Case.state,
            Case.confidentiality,
            Case.created_at,
            func.coalesce(Case.resolution_proposed_at, Case.closed_at),
        )
        .join(Category, Category.id == Case.category_id)
        .where(Case.forum_id == forum_id)
        .order_by(Case.created_at, Case.id)
    ).all()
    concerns = [
        Concern(code, outcome(workflow, state), created, answered)
        for code, workflow, state, level, created, answered in rows
        if level in PUBLIC_LEVELS
    ]
    return found, concerns, len(rows) - len(concerns)


def tally(concerns: list[Concern]) -> dict[str, int]:
    counts = dict.fromkeys(OUTCOMES, 0)
    for c in concerns:
        counts[c.outcome] += 1
    return counts


def category_names(lang: str) -> dict[str, str]:
    return {c.code: c.name(lang) for c in db.session.scalars(select(Category))}
