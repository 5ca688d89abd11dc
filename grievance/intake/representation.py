"""Representatives acting for members: which cases a representative follows, what it may
see of the member, and the steps it takes for the member. Services flush, never commit.

Two rules protect people here, each in one function that every page and step calls:
`follows` (which cases: those its organisation filed, or, without an organisation, those it
filed itself; another organisation's case is as if it did not exist) and `members_for`
(what it may see of the worker: the member as filed, never an officer or a note).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import segno
from sqlalchemy import ColumnElement, Select, and_, false, or_, select
from sqlalchemy.orm import selectinload

from grievance.auth.models import User
from grievance.cases import events, transitions
from grievance.cases.models import WAITING_FOR_COMPLAINANT, Case, CaseEvent, Category, Person
from grievance.domain import SEXES
from grievance.effects import Notice, emit
from grievance.errors import DomainError, NotFound
from grievance.extensions import db
from grievance.intake import pipeline
from grievance.intake.pipeline import Filer
from grievance.intake.submission import Submission
from grievance.integrations import public_url
from grievance.phones import masked
from grievance.security import normalize_reference
from grievance.text import clean_text
from grievance.tracking import links
from grievance.tracking.presenters import can_add_information
from grievance.types import utcnow
from workflows import Actor
from workflows.i18n import N_

MAX_TEXT = 5000
# The steps a representative takes for the member, and the ones that need the member's
# agreement (recorded like the consent to file: by whom, when, how).
STEPS = ("provide_information", "accept_resolution", "accept_answer", "appeal")
NEEDS_AGREEMENT = frozenset({"accept_resolution", "accept_answer", "appeal"})
AGREEMENT_METHODS = {
    "written": N_("In writing"),
    "verbal": N_("By word of mouth"),
    "thumbprint": N_("By thumbprint"),
}


# -- the policy ---------------------------------------------------------------------------


def follows(rep: User) -> ColumnElement[bool]:
    """The cases `rep` may follow, as SQL. A representative of an organisation follows
    everything the organisation filed (and nothing once it leaves it); one without an
    organisation follows only what it filed alone."""
    if not rep.active or not rep.has_role("representative"):
        return false()
    if rep.organisation_id is not None:
        return Case.organisation_id == rep.organisation_id
    return and_(Case.filed_by_id == rep.id, Case.organisation_id.is_(None))


def follows_case(rep: User, case: Case) -> bool:
    """`follows` for one loaded case (the same rule; tests/intake/test_representation.py
    checks that the two agree)."""
    if not rep.active or not rep.has_role("representative"):
        return False
    if rep.organisation_id is not None:
        return case.organisation_id == rep.organisation_id
    return case.filed_by_id == rep.id and case.organisation_id is None


def case_for(rep: User, reference: str) -> Case:
    """The case with this reference if `rep` follows it; NotFound otherwise, the same
    answer whether the case does not exist or is another organisation's."""
    ref = normalize_reference(reference)
    case = (
        db.session.scalar(select(Case).where(Case.reference == ref, follows(rep))) if ref else None
    )
    if case is None:
        raise NotFound("case_not_found")
    return case


@dataclass(frozen=True)
class Member:
    """The worker as the organisation filed for them."""

    name: str | None
    phone: str | None
    sex: str
    language: str
    consent_to_contact: bool
    consent_how: str | None  # how the member agreed to the filing


def members_for(rep: User, case: Case) -> list[Member]:
    """What `rep` may see of the workers' identity: the members' names and contacts as
    filed (the member first, then the other members of a collective complaint), only on a
    case its organisation filed for them; never who handles the case. Empty otherwise."""
    if case.complainant is None or case.consent is None or not follows_case(rep, case):
        return []
    how = {int(m["person"]): str(m["how"]) for m in case.consent.get("members", [])}
    first = _member(case.complainant, str(case.consent.get("how") or "") or None)
    return [first, *(_member(p, how.get(p.id)) for p in case.affected)]


def _member(person: Person, how: str | None) -> Member:
    return Member(
        name=person.name,
        phone=person.phone,
        sex=person.sex,
        language=person.language,
        consent_to_contact=person.consent_to_contact,
        consent_how=how,
    )


def filed_with(rep: User, case: Case) -> list[str]:
    """References of the cases filed together with this one (one per member), that `rep`
    follows."""
    if case.consent is None or not follows_case(rep, case):
        return []
    return [str(r) for r in case.consent.get("filed_with", [])]


# -- filing and the member's slip ----------------------------------------------------------


@dataclass(frozen=True)
class Slip:
    """What the member takes away: the codes, a one-time link to the status page (as a QR
    code on the printed slip), and whether the codes also go to the member's phone."""

    reference: str
    secret: str
    member_name: str | None
    link: str
    sms_to: str | None  # the member's number, masked, when the codes go by SMS
    lookup_url: str  # where to type the codes once the link is used

    def qr_svg(self) -> str:
        return str(segno.make(self.link, error="m").svg_inline(scale=4, omitsize=False))


def file_for_member(sub: Submission, filer: Filer, *, at: datetime | None = None) -> Slip:
    """File for a member (the pipeline checks the member's consent), with the slip."""
    return _file(sub, filer, at)[1]


def _file(sub: Submission, filer: Filer, at: datetime | None) -> tuple[Case, Slip]:
    filed = pipeline.file(sub, filer, at=at)
    case = filed.case
    person = case.complainant
    sms = person is not None and bool(person.phone) and person.consent_to_contact
    slip = Slip(
        reference=case.reference,
        secret=filed.secret,
        member_name=person.name if person else None,
        link=links.create_tracking_link(case, at=at),
        sms_to=masked(person.phone) if sms and person and person.phone else None,
        lookup_url=public_url("/track"),
    )
    return case, slip


@dataclass(frozen=True)
class OtherMember:
    """Another member of the same workplace in a collective complaint, as the form gives it
    (phone already in E.164)."""

    name: str
    phone: str | None
    sex: str
    how: str  # how the member agreed (AGREEMENT_METHODS)
    contact: bool  # agreed to be contacted by SMS


def file_for_members(
    sub: Submission,
    filer: Filer,
    others: Sequence[OtherMember] = (),
    *,
    separately: bool = False,
    at: datetime | None = None,
) -> list[Slip]:
    """One complaint for several members of one workplace, each with how they agreed:
    one case listing every member as an affected worker, or (`separately`, when their
    problems differ) one case per member, each naming the others it was filed with."""
    for other in others:
        if not other.name.strip() or other.how not in AGREEMENT_METHODS or other.sex not in SEXES:
            raise DomainError("invalid_member")
    if not others:
        return [file_for_member(sub, filer, at=at)]
    if separately:
        filed = [_file(sub, filer, at)] + [_file(_for(sub, other), filer, at) for other in others]
        references = [case.reference for case, _slip in filed]
        for case, _slip in filed:
            together = [r for r in references if r != case.reference]
            case.consent = {**(case.consent or {}), "filed_with": together}
        db.session.flush()
        return [slip for _case, slip in filed]
    sub = replace(sub, affected_count=max(sub.affected_count, 1 + len(others)))
    case, slip = _file(sub, filer, at)
    language = sub.language
    people = [Person(name=o.name, phone=o.phone, sex=o.sex, language=language) for o in others]
    for person, other in zip(people, others, strict=True):
        person.consent_to_contact = other.contact
    case.affected.extend(people)
    db.session.flush()
    agreed = [{"person": p.id, "how": o.how} for p, o in zip(people, others, strict=True)]
    case.consent = {**(case.consent or {}), "members": agreed}
    db.session.flush()
    # A slip for every member, each with its own one-time link to the shared case, and the
    # codes by SMS to every member who gave a phone and agreed to be contacted.
    filed_seq = db.session.scalar(
        select(CaseEvent.seq).where(CaseEvent.case_id == case.id, CaseEvent.kind == "filed")
    )
    others_slips = []
    for person in people:
        texted = bool(person.phone) and person.consent_to_contact
        if texted and filed_seq is not None:
            context = {"secret": slip.secret}
            emit(
                Notice(case.id, filed_seq, "filed", "member", person_id=person.id, context=context)
            )
        others_slips.append(
            replace(
                slip,
                member_name=person.name,
                link=links.create_tracking_link(case, at=at),
                sms_to=masked(person.phone) if texted and person.phone else None,
            )
        )
    return [slip, *others_slips]


def _for(sub: Submission, other: OtherMember) -> Submission:
    """The same complaint, for another member (files stay with the first member's case)."""
    return replace(
        sub,
        name=other.name,
        phone=other.phone,
        sex=other.sex,
        consent_to_contact=other.contact,
        consent_how=other.how,
        affected_count=1,
        evidence=[],
    )


# -- acting for the member -------------------------------------------------------------------


def act(
    rep: User,
    reference: str,
    name: str,
    inputs: Mapping[str, object],
    *,
    agreed_how: str | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> CaseEvent:
    """One of the member's own steps, taken by the representative for the member: the
    answer to the officer's question (it counts as the answer: the clock resumes and the
    officer is told), accepting the answer or appealing against it (only with the member's
    agreement, recorded on the timeline as consent is)."""
    case = case_for(rep, reference)
    if name not in STEPS:
        raise NotFound("no_such_step", name)
    at = at or utcnow()
    if name in NEEDS_AGREEMENT:
        if agreed_how not in AGREEMENT_METHODS:
            raise DomainError("agreement_required")
        if expected_version is not None and case.version != expected_version:
            raise transitions.StaleCase(case.reference)
        events.record(
            case,
            "member_agreed",
            actor_id=rep.id,
            actor_role="representative",
            data={"step": name, "how": agreed_how},  # by whom: the event's actor
            at=at,
        )
    cleaned = {k: clean_text(v)[:MAX_TEXT] if isinstance(v, str) else v for k, v in inputs.items()}
    actor = Actor(id=rep.id, roles=frozenset({"representative"}))
    return transitions.apply(case, name, actor, cleaned, expected_version=expected_version, at=at)


def add_information(
    rep: User, reference: str, text: str, *, at: datetime | None = None
) -> CaseEvent:
    """Something more for an open case: a public note from the representative (shown to the
    member as the representative's), and the officer is told. While the officer waits for
    the member's answer, the representative answers the question instead."""
    case = case_for(rep, reference)
    if not can_add_information(case):
        raise DomainError("case_not_open")
    text = clean_text(text)[:MAX_TEXT]
    if not text.strip():
        raise DomainError("empty_comment")
    event = events.record(
        case,
        "comment",
        actor_id=rep.id,
        actor_role="representative",
        public=True,
        data={"text": text},
        at=at,
    )
    db.session.flush()
    emit(
        Notice(
            case.id, event.seq, "information_added", "assignee", context={"by": "representative"}
        )
    )
    return event


def representatives_named(ids: set[int]) -> dict[int, str]:
    """Representatives' names, for the lines of a timeline they wrote (officers' names are
    never looked up here)."""
    if not ids:
        return {}
    rows = db.session.execute(
        select(User.id, User.name).where(User.id.in_(ids), User.roles.any(role="representative"))
    )
    return {int(row.id): str(row.name) for row in rows}


# -- the organisation's cases ---------------------------------------------------------------

# Where the next move is the member's (so the organisation's): first on the list (and in
# an index of its own: ix_cases_organisation_waiting).
NEEDS_ACTION = WAITING_FOR_COMPLAINANT
DEADLINES = ("late", "week")


@dataclass(frozen=True)
class Filters:
    member: str = ""  # part of the member's name or phone number
    employer: str = ""  # part of the employer's or facility's name
    category: str = ""  # a category code
    state: str = ""  # a workflow state
    deadline: str = ""  # "late" (past its deadline) or "week" (due within 7 days)


@dataclass(frozen=True)
class Row:
    case: Case
    members: list[Member]
    needs_action: bool


def organisation_cases(
    rep: User, filters: Filters = Filters(), *, now: datetime | None = None, limit: int = 200
) -> list[Row]:
    """The cases the representative follows, those waiting for the member's answer or
    agreement first, then the newest, `limit` in all: two walks down an index of the
    organisation's cases by filing time (one of its waiting cases only), so the page costs
    the same for an organisation with 100 cases as for one with 100,000."""
    now = now or utcnow()
    cases = list(db.session.scalars(list_query(rep, filters, now, waiting=True, limit=limit)))
    if len(cases) < limit:
        rest = list_query(rep, filters, now, waiting=False, limit=limit - len(cases))
        cases += db.session.scalars(rest)
    return [Row(case, members_for(rep, case), case.state in NEEDS_ACTION) for case in cases]


def list_query(
    rep: User, filters: Filters, now: datetime, *, waiting: bool, limit: int
) -> Select[Any]:
    """The newest `limit` cases `rep` follows that match `filters`, of those waiting for
    the member (`waiting`) or of the others."""
    state = Case.state.in_(NEEDS_ACTION)
    query = _filtered(select(Case).where(follows(rep), state if waiting else ~state), filters, now)
    query = query.options(selectinload(Case.complainant), selectinload(Case.affected))
    return query.order_by(Case.created_at.desc(), Case.id.desc()).limit(limit)


def _filtered(query: Select[Any], filters: Filters, now: datetime) -> Select[Any]:
    if filters.member.strip():
        text = filters.member.strip()
        digits = "".join(c for c in text if c.isdigit()).lstrip("0")
        match = Person.name.icontains(text, autoescape=True)
        if len(digits) >= 3:
            match = or_(match, Person.phone.contains(digits, autoescape=True))
        query = query.join(Person, Person.id == Case.complainant_id).where(match)
    if filters.employer.strip():
        query = query.where(
            Case.concerned_name.icontains(filters.employer.strip(), autoescape=True)
        )
    if filters.category:
        query = query.join(Category, Category.id == Case.category_id).where(
            Category.code == filters.category
        )
    if filters.state:
        query = query.where(Case.state == filters.state)
    if filters.deadline in DEADLINES:
        until = now if filters.deadline == "late" else now + timedelta(days=7)
        query = query.where(Case.resolve_due_at.is_not(None), Case.resolve_due_at <= until)
        query = query.where(Case.paused_at.is_(None), Case.closed_at.is_(None))
    return query
