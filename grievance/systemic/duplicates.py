"""Duplicate hints: open cases that may be the same complaint, for an officer to merge.

A case and another are listed together when they are both open and were filed within 30
days of each other, and either came from the same phone, concern the same registry entry
and category, or tell a nearly identical story (same category and province). Only cases
the viewer may see are listed, and never across the restricted line: a restricted case
is paired only with restricted cases, a normal or confidential one never with them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from rapidfuzz import fuzz
from sqlalchemy import Select, select

from grievance.auth.models import User
from grievance.cases.models import Case, Person
from grievance.cases.policy import visible_clause
from grievance.extensions import db
from grievance.khmer import khmer_key
from grievance.systemic.models import CaseEntity
from workflows.i18n import N_

WINDOW = timedelta(days=30)
NARRATIVE_SCORE = 90  # RapidFuzz ratio of the two narratives' keys, out of 100
NARRATIVE_POOL = 200  # the newest candidates a narrative is compared with
LIMIT = 10
REASONS = {
    "phone": N_("Same phone number"),
    "entity": N_("Same employer or facility and category"),
    "narrative": N_("Nearly the same description"),
}


@dataclass
class Hint:
    case: Case
    reasons: list[str] = field(default_factory=list)


def _candidates(case: Case, viewer: User) -> Select[tuple[Case]]:
    restricted = case.confidentiality == "restricted"
    side = (
        Case.confidentiality == "restricted" if restricted else Case.confidentiality != "restricted"
    )
    return select(Case).where(
        Case.id != case.id,
        Case.closed_at.is_(None),
        Case.created_at >= case.created_at - WINDOW,
        Case.created_at <= case.created_at + WINDOW,
        side,
        visible_clause(viewer),
    )


def hints(case: Case, viewer: User) -> list[Hint]:
    """Open cases that may be the same complaint as `case`, as far as `viewer` may see."""
    if case.closed_at is not None:
        return []
    found: dict[int, Hint] = {}

    def add(rows: list[Case], reason: str) -> None:
        for other in rows:
            found.setdefault(other.id, Hint(other)).reasons.append(reason)

    base = _candidates(case, viewer)
    phone = case.complainant.phone if case.complainant else None
    if phone:
        query = base.join(Person, Person.id == Case.complainant_id).where(Person.phone == phone)
        add(list(db.session.scalars(query.limit(LIMIT))), "phone")
    link = db.session.get(CaseEntity, case.id)
    if link is not None:
        query = base.join(CaseEntity, CaseEntity.case_id == Case.id).where(
            CaseEntity.entry_id == link.entry_id, Case.category_id == case.category_id
        )
        add(list(db.session.scalars(query.limit(LIMIT))), "entity")
    mine = khmer_key(case.description)
    pool = base.where(
        Case.category_id == case.category_id, Case.province_code == case.province_code
    )
    pool = pool.order_by(Case.created_at.desc()).limit(NARRATIVE_POOL)
    add(
        [
            other
            for other in db.session.scalars(pool)
            if fuzz.ratio(mine, khmer_key(other.description)) >= NARRATIVE_SCORE
        ],
        "narrative",
    )
    ranked = sorted(found.values(), key=lambda h: (-len(h.reasons), -h.case.id))
    return ranked[:LIMIT]
