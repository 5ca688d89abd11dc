"""Finding cases: by reference, and only those the viewer may see."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from grievance.cases import policy
from grievance.cases.models import Case
from grievance.errors import NotFound
from grievance.extensions import db
from grievance.security import normalize_reference


def case_by_reference(reference: str) -> Case | None:
    """The case a typed reference names (any spacing, case or dash), or None."""
    ref = normalize_reference(reference)
    return db.session.scalar(select(Case).where(Case.reference == ref)) if ref else None


def load_case(reference: str, user: Any) -> Case:
    """The case for a staff page. A missing case and one the user may not see get the
    same NotFound (a 404), so references cannot be probed."""
    return checked(case_by_reference(reference), user)


def checked(case: Case | None, user: Any) -> Case:
    """`case` if the user may see it, else the same NotFound as for a missing case."""
    if case is None or not policy.can_view(user, case):
        raise NotFound("case_not_found")
    return case


def newest_visible(user: Any, limit: int) -> list[Case]:
    """The newest cases the user may see, filtered in SQL (`policy.visible_clause`)."""
    query = (
        select(Case)
        .where(policy.visible_clause(user))
        .order_by(Case.created_at.desc(), Case.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))
