"""What the complainant's status page shows, and nothing more.

The timeline is built from an allowlist: an event kind or a transition input appears only
if it is listed here as addressed to the complainant. Officer names, internal notes,
assignments, escalation and reassignment reasons, proposed (not yet approved) rejection
reasons, the complainant's own free text (which may name them) and any kind of event
added later stay off the page until someone decides they belong on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select

from grievance import reference as rules
from grievance.cases import transitions
from grievance.cases.models import CaseEvent, CaseView, TimelineEvent
from grievance.extensions import db
from grievance.reference import Named
from grievance.sla.calendar import WorkingCalendar
from grievance.sla.status import expected_date, request_calendar
from grievance.tracking import schedule
from workflows import State, get_workflow
from workflows.i18n import N_

# The complainant's steps on the status page: workflow transitions, and adding
# information or a photo, which any open case takes without changing its state.
ADD_INFORMATION = "add_information"
ACTIONS = (
    "provide_information",
    "ask_follow_up",
    "accept_resolution",
    "accept_answer",
    "appeal",
    ADD_INFORMATION,
    "withdraw",
)
WITH_FILES = frozenset({"provide_information", ADD_INFORMATION})
# Final states after which we ask how we did (not after a withdrawal or a merge).
RATEABLE = frozenset({"closed", "rejected", "referred"})

FILED = {
    "grievance": N_("Complaint received"),
    "information_request": N_("Question received"),
    "suggestion": N_("Suggestion received"),
}
# The complainant's own steps, in their words; other steps show the new state's label.
OWN_COMMENT = N_("You added information")
FROM_US = N_("Message from us")
FROM_REPRESENTATIVE = N_("Message from your representative")
RATED = N_("You rated our service")
OWN_STEPS = {
    "provide_information": N_("You sent your answer"),
    "ask_follow_up": N_("You asked for more help"),
    "accept_resolution": N_("You accepted our answer"),
    "accept_answer": N_("You accepted our answer"),
    "appeal": N_("You appealed against our answer"),
    "withdraw": N_("You withdrew your case"),
}
# Inputs written to the complainant, by transition: (input, label).
PUBLIC_INPUTS: dict[str, tuple[tuple[str, str], ...]] = {
    "request_information": (("comment", N_("Our question to you")),),
    "propose_resolution": (("resolution", N_("Our answer")),),
    "revise_resolution": (("resolution", N_("Our new answer")),),
    "uphold_resolution": (("reason", N_("Why we kept our answer")),),
    "answer": (("answer", N_("Our answer")),),
    "close": (("resolution", N_("Our reply")),),
    "refer": (("agency", N_("Sent to")),),
}
# Steps a representative took for her: in her words, with what the representative wrote
# (anything a representative writes reaches her as the representative's, never as ours).
REPRESENTATIVE_STEPS = {
    "provide_information": N_("Your representative answered our question for you"),
    "accept_resolution": N_("Your representative accepted our answer for you"),
    "accept_answer": N_("Your representative accepted our answer for you"),
    "appeal": N_("Your representative appealed against our answer for you"),
}
REPRESENTATIVE_INPUTS = {
    "provide_information": (("answer", N_("Your representative wrote")),),
    "appeal": (("reason", N_("Your representative wrote")),),
}
QUESTIONS = frozenset({"request_information"})
ANSWERS = frozenset({"propose_resolution", "revise_resolution", "answer", "close"})
REJECTION_REASON = N_("Reason")


@dataclass(frozen=True)
class Entry:
    at: datetime
    title: str  # msgid
    details: tuple[tuple[str, str], ...] = ()  # (label msgid, text as written)
    rating: int | None = None
    step: str = ""  # the transition, if the entry is one
    by_representative: bool = False  # a representative wrote it or took the step
    representative_id: int | None = None


@dataclass
class StatusPage:
    case: CaseView
    state: State
    expected: date | None  # when we will answer (local date), from the SLA clocks
    late: bool
    paused: bool
    actions: list[str]
    can_rate: bool
    appeal_until: datetime | None
    appeal_passed: bool
    timeline: list[Entry] = field(default_factory=list)
    question: Entry | None = None  # the question waiting for an answer
    answer: Entry | None = None  # the answer waiting to be accepted or appealed
    closes_on: datetime | None = None  # when an unanswered answer closes the case itself
    final: bool = False  # our answer after her appeal: no further appeal here
    subject: Named | None = None  # the case's category, as the rules in force name it
    outside: bool = False  # show the routes outside NSSF (after the appeal, or refused)


SYSTEMIC_ANSWER = N_("Our answer to all the complaints about the same employer or facility")


def can_rate(case: CaseView) -> bool:
    return case.state in RATEABLE and case.satisfaction is None


def can_add_information(case: CaseView) -> bool:
    """Any open case, except while we wait for her answer (she answers the question then)."""
    state = get_workflow(case.workflow).state(case.state)
    return not state.final and not state.paused


def _transition_entry(case: CaseView, event: TimelineEvent, rejection: str | None) -> Entry | None:
    data = event.data or {}
    name = str(data.get("transition", ""))
    workflow = get_workflow(case.workflow)
    if event.from_state == event.to_state or not workflow.has_state(event.to_state or ""):
        return None  # reassignments and repeated escalations mean nothing to the complainant
    title = OWN_STEPS.get(name) or workflow.state(str(event.to_state)).label
    inputs = PUBLIC_INPUTS.get(name, ())
    by_representative = event.actor_role == "representative" and name in REPRESENTATIVE_STEPS
    if by_representative:
        title, inputs = REPRESENTATIVE_STEPS[name], REPRESENTATIVE_INPUTS.get(name, ())
    details = [(label, str(data[key])) for key, label in inputs if data.get(key)]
    if name == "approve_rejection" and rejection:
        details.append((REJECTION_REASON, rejection))
    rating = data.get("rating") if name in ("accept_resolution", "accept_answer") else None
    rep_id = event.actor_id if by_representative else None
    return Entry(
        event.created_at, title, tuple(details), _int(rating), name, by_representative, rep_id
    )


def _int(value: object) -> int | None:
    try:
        return int(str(value)) if value is not None else None
    except ValueError:
        return None


# Built once (every visit to the status page reads it): the columns the page needs, as
# plain rows (the hash chain and the ORM's bookkeeping are not needed to read a timeline).
@dataclass(frozen=True, slots=True)
class PageEvent:
    """What the page reads of an event, as plain values (a `TimelineEvent`)."""

    seq: int
    kind: str
    actor_id: int | None
    actor_role: str
    from_state: str | None
    to_state: str | None
    public: bool
    data: dict[str, Any]
    created_at: datetime


EVENT_COLUMNS = [CaseEvent.__table__.c[f.name] for f in fields(PageEvent)]
_EVENTS = (
    select(*EVENT_COLUMNS).where(CaseEvent.case_id == bindparam("case_id")).order_by(CaseEvent.seq)
)


def case_events(case: CaseView) -> list[PageEvent]:
    """All of the case's events, oldest first: read once for both the steps open to the
    complainant (which depend on the steps taken) and the timeline."""
    return [PageEvent(*row) for row in db.session.execute(_EVENTS, {"case_id": case.id})]


def public_timeline(case: CaseView, events: Sequence[TimelineEvent] | None = None) -> list[Entry]:
    """The case's story as the complainant may read it, oldest first (from `events`, all
    of the case's events in order, when the caller has read them)."""
    if events is None:
        events = case_events(case)
    entries: list[Entry] = []
    rejection: str | None = None  # shown only once a supervisor approved it
    for event in events:
        if not event.public:
            continue
        data = event.data or {}
        entry: Entry | None = None
        if event.kind == "filed":
            entry = Entry(event.created_at, FILED.get(case.kind, FILED["grievance"]))
        elif event.kind == "transition":
            if data.get("transition") == "propose_rejection":
                rejection = str(data.get("reason") or "") or None
            entry = _transition_entry(case, event, rejection)
        elif event.kind == "comment" and event.actor_role == "complainant":
            entry = Entry(event.created_at, OWN_COMMENT)  # her own words stay off the page
        elif event.kind == "comment" and data.get("text"):
            by_rep = event.actor_role == "representative"
            entry = Entry(
                event.created_at,
                FROM_REPRESENTATIVE if by_rep else FROM_US,
                (("", str(data["text"])),),
                by_representative=by_rep,
                representative_id=event.actor_id if by_rep else None,
            )
        elif event.kind == "systemic_answer" and data.get("text"):
            entry = Entry(event.created_at, SYSTEMIC_ANSWER, (("", str(data["text"])),))
        elif event.kind == "rating":
            entry = Entry(event.created_at, RATED, rating=_int(data.get("rating")))
        if entry is not None:
            entries.append(entry)
    return entries


def _latest(entries: list[Entry], steps: frozenset[str]) -> Entry | None:
    return next((e for e in reversed(entries) if e.step in steps), None)


def status_page(
    case: CaseView,
    now: datetime,
    calendar: WorkingCalendar | None = None,
    events: Sequence[TimelineEvent] | None = None,
) -> StatusPage:
    """The page of `case` at `now` (`events`: all of its events in order, when the caller
    read them with the case)."""
    cal = calendar or request_calendar()
    workflow = get_workflow(case.workflow)
    state = workflow.state(case.state)
    expected = expected_date(case, cal)
    if events is None:
        events = case_events(case)
    offered = {
        t.name
        for t in transitions.available(
            case, transitions.COMPLAINANT, now, calendar=cal, events=events
        )
    }
    until = schedule.appeal_until(case, cal)
    timeline = public_timeline(case, events)
    waiting_for_answer = state.name in ("resolution_proposed", "answered")
    appealed = any(e.step == "appeal" for e in timeline)
    actions = [name for name in ACTIONS if name in offered]
    if can_add_information(case):
        actions.insert(
            actions.index("withdraw") if "withdraw" in actions else len(actions), ADD_INFORMATION
        )
    return StatusPage(
        case=case,
        subject=rules.current().category_by_id(case.category_id),
        state=state,
        expected=expected,
        late=expected is not None and expected < now.astimezone(cal.tz).date(),
        paused=bool(state.paused),
        actions=actions,
        can_rate=can_rate(case),
        appeal_until=until if "appeal" in offered else None,
        appeal_passed=until is not None and until < now and "appeal" not in offered,
        timeline=timeline,
        question=_latest(timeline, QUESTIONS) if state.paused else None,
        answer=_latest(timeline, ANSWERS) if waiting_for_answer else None,
        closes_on=schedule.closes_on(case, cal) if waiting_for_answer else None,
        final=appealed and (waiting_for_answer or state.final),
        outside=(appealed and (waiting_for_answer or state.final)) or state.name == "rejected",
    )
