"""The one intake service: a `Submission` from any channel becomes a case.

    sub = <adapter>(input)                 # form, JSON, sheet row, message, GeoReport POST
    filed = pipeline.file(sub, Filer(...))  # checked here, filed, evidence stored
    except pipeline.Invalid as exc: ...     # exc.problems, shown in the channel's format

`file` checks the submission with the rules of `grievance.intake.submission` against the
codes in force (whatever the adapter checked before), adds what depends on who files (a
representative's recorded consent, the staff channels), opens the case through
`grievance.cases.services.file_case`, stores the evidence and links a partner's case.
Flushes, never commits: the request or job boundary does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from grievance import reference
from grievance.auth.models import User
from grievance.cases.services import Filed, NewCase, PersonData, file_case
from grievance.errors import DomainError, Forbidden
from grievance.extensions import db
from grievance.intake import uploads
from grievance.intake.checks import confidentiality_for
from grievance.intake.models import PartnerCase
from grievance.intake.submission import Known, Problem, Submission, check
from grievance.systemic.links import link_filed
from grievance.types import utcnow

STAFF_CHANNELS = ("hotline", "walk_in", "forum")


class Invalid(DomainError):
    """The submission broke rules; `problems` says which, for the adapter to show."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("invalid_submission", ", ".join(f"{p.field}:{p.code}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Filer:
    """Who files: the complainant (no account), a representative or intake officer (an
    account), or a partner system (`Submission.partner_id` names it)."""

    role: str  # complainant | representative | intake | partner
    user: User | None = None

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user is not None else None


COMPLAINANT = Filer("complainant")
PARTNER = Filer("partner")


def known() -> Known:
    rules = reference.current()
    active = {code for code, c in rules.categories.items() if c.active}
    return Known(categories=active, provinces=rules.provinces.keys())


def validate(sub: Submission, filer: Filer = COMPLAINANT) -> tuple[Submission, list[Problem]]:
    """The cleaned submission and its problems, for a filer (nothing is written)."""
    cleaned, problems = check(sub, known())
    if filer.role == "representative" and sub.consent_how is None:
        problems.append(Problem("consent_how", "required"))
    if filer.role == "intake" and sub.channel not in STAFF_CHANNELS:
        problems.append(Problem("channel", "invalid"))
    return cleaned, problems


def file(
    sub: Submission, filer: Filer, *, at: datetime | None = None, secret: str | None = None
) -> Filed:
    """Check and file. `secret` only for callers that must repeat the first answer (API
    idempotency keys)."""
    if filer.role == "representative" and not (filer.user and filer.user.has_role(filer.role)):
        raise Forbidden("not_a_representative")
    cleaned, problems = validate(sub, filer)
    if problems:
        raise Invalid(problems)
    at = at or utcnow()
    filed = file_case(
        new_case(cleaned, filer, at, secret), actor_id=filer.user_id, actor_role=filer.role, at=at
    )
    filed_seq = filed.case.event_count  # the "filed" event, the files' place on the timeline
    link_filed(filed.case, at)
    if cleaned.evidence:
        sender = uploads.Sender(filer.role, "filing", cleaned.channel, filer.user_id, filed_seq)
        uploads.store(filed.case, cleaned.evidence, sender)
    if cleaned.partner_id is not None:
        link = PartnerCase(
            case_id=filed.case.id, partner_id=cleaned.partner_id, external_id=cleaned.external_id
        )
        db.session.add(link)
        db.session.flush()
    return filed


def new_case(sub: Submission, filer: Filer, at: datetime, secret: str | None) -> NewCase:
    person = PersonData(
        name=sub.name,
        phone=sub.phone,
        sex=sub.sex,
        language=sub.language,
        consent_to_contact=sub.consent_to_contact,
    )
    consent = None
    organisation_id = None
    if filer.role == "representative" and filer.user is not None:
        consent = {"by": filer.user.id, "at": at.isoformat(), "how": sub.consent_how}
        organisation_id = filer.user.organisation_id
    return NewCase(
        category_code=sub.category,
        province_code=sub.province,
        description=sub.description,
        channel=sub.channel,
        complainant=person,
        concerned_name=sub.concerned_name,
        confidentiality=confidentiality_for(sub.category, sub.confidential),
        prefers_woman_officer=sub.prefers_woman_officer,
        affected_count=sub.affected_count,
        language=sub.language,
        organisation_id=organisation_id,
        forum_id=sub.forum_id,
        consent=consent,
        secret=secret,
    )
