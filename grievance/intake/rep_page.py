"""What a representative's case page shows: everything the member's own status page shows
(built by the same allowlist, `grievance.tracking.presenters`), the member as filed (through
`representation.members_for`), and the steps the representative may take for the member.
Never an internal note, never who handles the case."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from grievance.auth.models import User
from grievance.cases import transitions
from grievance.cases.models import Case
from grievance.intake import representation
from grievance.intake.representation import Member
from grievance.tracking import presenters
from grievance.tracking.presenters import Entry, StatusPage
from workflows import Actor, get_workflow
from workflows.i18n import N_

ADD_INFORMATION = "add_information"
# The member's own steps as the representative reads them, and its own with its name.
MEMBER_STEPS = {
    "provide_information": N_("The member answered"),
    "ask_follow_up": N_("The member asked for more help"),
    "accept_resolution": N_("The member accepted the answer"),
    "accept_answer": N_("The member accepted the answer"),
    "appeal": N_("The member appealed"),
    "withdraw": N_("The member withdrew the case"),
}
BY_REPRESENTATIVE = {
    "provide_information": N_("Answered by %(name)s (representative) for the member"),
    "accept_resolution": N_("Accepted by %(name)s (representative) for the member"),
    "accept_answer": N_("Accepted by %(name)s (representative) for the member"),
    "appeal": N_("Appealed by %(name)s (representative) for the member"),
    "": N_("Information added by %(name)s (representative)"),
}
MEMBER_COMMENT = N_("The member added information")
# Headings the member's page words for the member ("you", "our"), as the representative
# reads them: the member, NSSF. Any other heading is already neutral (checked by
# tests/intake/test_representation.py over every heading the member's page can show).
MEMBER_WORDS = {
    N_("Waiting for your answer"): N_("Waiting for the member's answer"),
    presenters.FROM_US: N_("Message from NSSF"),
    presenters.FROM_REPRESENTATIVE: N_("Message from the representative"),
    presenters.SYSTEMIC_ANSWER: N_(
        "NSSF's answer to all the complaints about the same employer or facility"
    ),
    presenters.RATED: N_("The member rated NSSF's service"),
}
# What the member's page calls "ours", in the representative's words.
DETAIL_LABELS = {
    N_("Our question to you"): N_("The officer's question"),
    N_("Our answer"): N_("NSSF's answer"),
    N_("Our new answer"): N_("NSSF's new answer"),
    N_("Why we kept our answer"): N_("Why NSSF kept its answer"),
    N_("Our reply"): N_("NSSF's answer"),
}


@dataclass(frozen=True)
class Line:
    at: datetime
    title: str  # msgid; `name` fills %(name)s
    name: str = ""
    details: tuple[tuple[str, str], ...] = ()


@dataclass
class RepCase:
    case: Case
    status: StatusPage
    members: list[Member]
    filed_with: list[str]
    steps: list[str]  # what the representative may do for the member now
    lines: list[Line] = field(default_factory=list)
    rejection_reason: str | None = None
    state_label: str = ""  # msgid, in the representative's words


def _line(entry: Entry, names: dict[int, str]) -> Line:
    if entry.by_representative:
        title = BY_REPRESENTATIVE.get(entry.step, BY_REPRESENTATIVE[""])
        name = names.get(entry.representative_id or 0, "")
        details = tuple(("", text) for _label, text in entry.details)  # its own words
        return Line(entry.at, title, name or "–", details)
    if entry.title == presenters.OWN_COMMENT:
        return Line(entry.at, MEMBER_COMMENT)
    details = tuple((DETAIL_LABELS.get(label, label), text) for label, text in entry.details)
    return Line(entry.at, title_for_representative(entry.step, entry.title), "", details)


def title_for_representative(step: str, title: str) -> str:
    """A heading of the member's page (a msgid) in the representative's words."""
    return MEMBER_STEPS.get(step) or MEMBER_WORDS.get(title, title)


def state_for_representative(case: Case) -> str:
    """The case's state as the representative reads it (a msgid)."""
    title = get_workflow(case.workflow).state(case.state).label
    return MEMBER_WORDS.get(title, title)


def rep_case(rep: User, case: Case, now: datetime) -> RepCase:
    status = presenters.status_page(case, now)
    actor = Actor(id=rep.id, roles=frozenset({"representative"}))
    offered = {t.name for t in transitions.available(case, actor, now)}
    steps = [name for name in representation.STEPS if name in offered]
    if presenters.can_add_information(case):
        steps.append(ADD_INFORMATION)
    ids = {e.representative_id for e in status.timeline if e.representative_id is not None}
    names = representation.representatives_named(ids)
    rejection = next(
        (text for e in status.timeline if e.step == "approve_rejection" for _l, text in e.details),
        None,
    )
    return RepCase(
        case=case,
        status=status,
        members=representation.members_for(rep, case),
        filed_with=representation.filed_with(rep, case),
        steps=steps,
        lines=[_line(e, names) for e in status.timeline],
        rejection_reason=rejection,
        state_label=state_for_representative(case),
    )
