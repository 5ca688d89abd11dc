"""Organisations (unions, associations, NGOs) and their representatives, as administrators
keep them. Which cases a representative may follow follows from its organisation
(`grievance.intake.representation.follows`): removing it from the organisation ends its
access to the organisation's cases at once. Every step follows the administrator's
province scope (`grievance.admin.accounts`: `check_manages_organisation` for the
organisation, `check_manages` for the representative's account): a provincial
administrator sees and changes only organisations and representatives of its provinces.
Services flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from grievance.admin.accounts import check_manages_organisation, manageable, managed_provinces
from grievance.auth.models import Organisation, User
from grievance.cases.models import Case
from grievance.domain import ORGANISATION_KINDS
from grievance.errors import DomainError, Forbidden, NotFound
from grievance.extensions import db
from grievance.text import clean_text


def create(
    actor: User, name: str, name_km: str, kind: str, province_code: str | None
) -> Organisation:
    check_manages_organisation(actor, province_code or None)
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


def get(actor: User, org_id: int) -> Organisation:
    org = db.session.get(Organisation, org_id)
    if org is None:
        raise NotFound("no_organisation")
    check_manages_organisation(actor, org.province_code)
    return org


def add_representative(actor: User, org: Organisation, username: str) -> User:
    """An active account with the representative role joins the organisation (leaving any
    other: a representative speaks for one organisation at a time). An account the
    administrator does not manage is as unknown as one that does not exist."""
    check_manages_organisation(actor, org.province_code)
    user = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None or not user.active or not manageable(actor, user):
        raise DomainError("unknown_account", username)
    if not user.has_role("representative"):
        raise DomainError("not_a_representative", username)
    user.organisation_id = org.id
    db.session.flush()
    return user


def remove_representative(actor: User, org: Organisation, user_id: int) -> User:
    check_manages_organisation(actor, org.province_code)
    user = db.session.get(User, user_id)
    if user is None or user.organisation_id != org.id or not manageable(actor, user):
        raise NotFound("not_in_organisation")
    user.organisation_id = None
    db.session.flush()
    return user


@dataclass(frozen=True)
class Summary:
    organisation: Organisation
    representatives: int
    cases: int


def summaries(actor: User) -> list[Summary]:
    """The organisations the administrator keeps (those of its provinces, for a provincial
    administrator), with their counts."""
    if not actor.has_role("admin"):
        raise Forbidden("admins_only")
    scope = managed_provinces(actor)
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
    query = (
        select(Organisation, func.coalesce(reps.c.n, 0), func.coalesce(cases.c.n, 0))
        .outerjoin(reps, reps.c.organisation_id == Organisation.id)
        .outerjoin(cases, cases.c.organisation_id == Organisation.id)
        .order_by(Organisation.name)
    )
    if scope is not None:
        query = query.where(Organisation.province_code.in_(sorted(scope)))
    rows = db.session.execute(query)
    return [Summary(org, int(r), int(c)) for org, r, c in rows]


def representatives(actor: User, org: Organisation) -> list[User]:
    """The organisation's representatives the administrator manages."""
    query = select(User).where(User.organisation_id == org.id).order_by(User.name)
    return [user for user in db.session.scalars(query) if manageable(actor, user)]


def filed_by(org: Organisation, limit: int = 200) -> list[Case]:
    """What the organisation filed, newest first (for administrators: no member names)."""
    query = (
        select(Case)
        .where(Case.organisation_id == org.id)
        .order_by(Case.created_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))
