"""Organisations (unions, associations, NGOs) and their representatives, as administrators
keep them. Which cases a representative may follow follows from its organisation
(`grievance.intake.representation.follows`): removing it from the organisation ends its
access to the organisation's cases at once. Services flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from grievance.auth.models import Organisation, User
from grievance.cases.models import Case
from grievance.domain import ORGANISATION_KINDS
from grievance.errors import DomainError, NotFound
from grievance.extensions import db
from grievance.text import clean_text


def create(name: str, name_km: str, kind: str, province_code: str | None) -> Organisation:
    name, name_km = clean_text(name).strip()[:200], clean_text(name_km).strip()[:200]
    if not name:
        raise DomainError("organisation_name_required")
    if kind not in ORGANISATION_KINDS:
        raise DomainError("unknown_kind", kind)
    same_name = func.lower(Organisation.name) == name.lower()
    if db.session.scalar(select(Organisation.id).where(same_name)):
        raise DomainError("organisation_exists", name)
    org = Organisation(name=name, name_km=name_km, kind=kind, province_code=province_code or None)
    db.session.add(org)
    db.session.flush()
    return org


def get(org_id: int) -> Organisation:
    org = db.session.get(Organisation, org_id)
    if org is None:
        raise NotFound("no_organisation")
    return org


def add_representative(org: Organisation, username: str) -> User:
    """An active account with the representative role joins the organisation (leaving any
    other: a representative speaks for one organisation at a time)."""
    user = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None or not user.active:
        raise DomainError("unknown_account", username)
    if not user.has_role("representative"):
        raise DomainError("not_a_representative", username)
    user.organisation_id = org.id
    db.session.flush()
    return user


def remove_representative(org: Organisation, user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.organisation_id != org.id:
        raise NotFound("not_in_organisation")
    user.organisation_id = None
    db.session.flush()
    return user


@dataclass(frozen=True)
class Summary:
    organisation: Organisation
    representatives: int
    cases: int


def summaries() -> list[Summary]:
    reps = (
        select(User.organisation_id, func.count(User.id).label("n"))
        .where(User.active.is_(True))
        .group_by(User.organisation_id)
        .subquery()
    )
    cases = (
        select(Case.organisation_id, func.count(Case.id).label("n"))
        .group_by(Case.organisation_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Organisation, func.coalesce(reps.c.n, 0), func.coalesce(cases.c.n, 0))
        .outerjoin(reps, reps.c.organisation_id == Organisation.id)
        .outerjoin(cases, cases.c.organisation_id == Organisation.id)
        .order_by(Organisation.name)
    )
    return [Summary(org, int(r), int(c)) for org, r, c in rows]


def representatives(org: Organisation) -> list[User]:
    query = select(User).where(User.organisation_id == org.id).order_by(User.name)
    return list(db.session.scalars(query))


def filed_by(org: Organisation, limit: int = 200) -> list[Case]:
    """What the organisation filed, newest first (for administrators: no member names)."""
    query = (
        select(Case)
        .where(Case.organisation_id == org.id)
        .order_by(Case.created_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))
