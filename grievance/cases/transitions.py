"""Applying workflow steps to cases: the only code path that changes a case's state.

The pure engine (`workflows`) decides; this module carries the decision out in the
caller's transaction: state, assignee, timestamps, clocks, the CaseEvent and the notices.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from grievance.auth.models import User
from grievance.cases import eligibility, events
from grievance.cases.models import ApprovalRequest, Case, CaseEvent, CaseView, TimelineEvent
from grievance.effects import Notice, emit
from grievance.errors import Conflict, DomainError
from grievance.extensions import db
from grievance.sla import clocks
from grievance.sla.calendar import WorkingCalendar
from grievance.types import utcnow
from workflows import (
    Actor,
    Effect,
    Facts,
    MissingInput,
    NeedsSecondPerson,
    NotAllowedHere,
    Step,
    Transition,
    available_transitions,
    plan,
)
from workflows import get_workflow as workflow_named

APPEAL_WINDOW_DAYS = 15
AUTO_CLOSE_DAYS = 10
SYSTEM = Actor(id=None, roles=frozenset({"system"}))
COMPLAINANT = Actor(id=None, roles=frozenset({"complainant"}))


class StaleCase(Conflict):
    """The case changed after the actor loaded it (`changes_since` tells what changed)."""

    def __init__(self, reference: str) -> None:
        super().__init__("stale_case", reference)


def actor_for(user: User) -> Actor:
    return Actor(id=user.id, roles=user.role_names)


def _transitions_taken(case: CaseView, events: Sequence[TimelineEvent] | None) -> list[str]:
    if events is not None:  # the caller has read the whole timeline already
        rows: Iterable[Any] = (e.data for e in events if e.kind == "transition")
    else:
        rows = db.session.scalars(
            select(CaseEvent.data)
            .where(CaseEvent.case_id == case.id, CaseEvent.kind == "transition")
            .order_by(CaseEvent.seq)
        )
    return [str((d or {}).get("transition")) for d in rows]


def facts_for(
    case: CaseView,
    now: datetime,
    calendar: WorkingCalendar | None = None,
    events: Sequence[TimelineEvent] | None = None,
) -> Facts:
    """What the guards may know, computed from the row and its timeline (`events`: all of
    the case's events in order, when the caller has them, saves reading them again)."""
    window_open = auto_close_due = False
    if case.resolution_proposed_at is not None:
        cal = calendar or clocks.working_calendar()
        # Two dates a few weeks after the answer, not a walk from the answer to now.
        answered, province = case.resolution_proposed_at, case.province_code
        appeal_end = cal.add_working_time(answered, days=APPEAL_WINDOW_DAYS, province=province)
        closes_at = cal.add_working_time(answered, days=AUTO_CLOSE_DAYS, province=province)
        taken = _transitions_taken(case, events)
        # One appeal per case, and none once the complainant accepted the answer.
        reopenable = case.state != "closed" or (taken and taken[-1] == "auto_close")
        window_open = bool(reopenable) and "appeal" not in taken and now <= appeal_end
        auto_close_due = now >= closes_at
    return Facts(
        state=case.state,
        case_id=case.id,
        reference=case.reference,
        assignee_id=case.assignee_id,
        resolved_by_id=case.resolved_by_id,
        acknowledged=case.acknowledged_at is not None,
        appeal_window_open=window_open,
        auto_close_due=auto_close_due,
    )


def available(
    case: CaseView,
    actor: Actor,
    now: datetime | None = None,
    *,
    calendar: WorkingCalendar | None = None,
    events: Sequence[TimelineEvent] | None = None,
) -> list[Transition]:
    workflow = workflow_named(case.workflow)
    facts = facts_for(case, now or utcnow(), calendar, events)
    return available_transitions(workflow, facts, actor)


def apply(
    case: Case,
    name: str,
    actor: Actor,
    inputs: Mapping[str, object] | None = None,
    *,
    expected_version: int | None = None,
    seen_events: int | None = None,
    at: datetime | None = None,
    approver: Actor | None = None,
    flush: bool = True,
) -> CaseEvent:
    """Take transition `name` on `case` for `actor`. Flushes; the caller commits.

    A step held for a second person (a staff withdrawal, a merge) is taken only with the
    `approver` who approved `actor`'s request (`grievance.cases.approvals`); without one it
    raises NeedsSecondPerson, whichever path asks.

    Raises workflow errors (not allowed, role, missing input, guard), DomainError for bad
    inputs, and StaleCase when `expected_version` is not the case's current version (or
    another transaction wins the race at flush). Given `seen_events` (the timeline length
    the actor saw), only a real conflict counts: a step taken since (state or assignee may
    have changed); a colleague's note or a deadline notice does not.

    With `flush=False` the caller flushes, for a batch of cases whose rows it holds
    locked (the SLA sweep): nobody can have changed them, and one flush writes them all.
    """
    at = at or utcnow()
    reference = case.reference  # read now: after a lost race the row cannot be loaded
    if _conflict(case, expected_version, seen_events):
        raise StaleCase(reference)
    workflow = workflow_named(case.workflow)
    step = plan(workflow, facts_for(case, at), actor, name, inputs or {}, approver=approver)
    if step.held and approver is None:
        raise NeedsSecondPerson(name)
    _require_public_outcome(case, step)
    try:
        event = _carry_out(case, step, actor, workflow.is_final(step.to_state), at, approver, flush)
    except StaleDataError:
        # Another transaction changed the case after we read it. The unit of work can no
        # longer commit: the boundary rolls it back (a view calls `uow.discard()` first to
        # show fresh state; a job that expects races runs this in a savepoint).
        raise StaleCase(reference) from None
    _notify(case, step.effects, event, event.data)
    return event


def check_request(
    case: Case,
    name: str,
    actor: Actor,
    inputs: Mapping[str, object],
    *,
    expected_version: int | None = None,
    seen_events: int | None = None,
    at: datetime | None = None,
) -> dict[str, object]:
    """The checked inputs of a held step `actor` asks for, as if it were taken now: she may
    take it from this state, and a merge target is a case she may see (its reference)."""
    if _conflict(case, expected_version, seen_events):
        raise StaleCase(case.reference)
    step = plan(workflow_named(case.workflow), facts_for(case, at or utcnow()), actor, name, inputs)
    if not step.held:
        raise NotAllowedHere(name, case.state)
    checked = dict(step.inputs)
    if "merged_into" in checked:
        target = db.session.get(Case, _merge_target(case, str(checked["merged_into"]), actor))
        checked["merged_into"] = target.reference if target is not None else ""
    return checked


def _require_public_outcome(case: Case, step: Step) -> None:
    """A concern raised at a forum is answered with what was done, in words fit to publish:
    the forum's public follow-up report lists it (oversight/forum_followup.py)."""
    wanted = "public_outcome" in step.transition.optional_inputs
    if wanted and case.forum_id is not None and not step.inputs.get("public_outcome"):
        raise MissingInput("public_outcome")


def _conflict(case: Case, expected_version: int | None, seen_events: int | None) -> bool:
    if expected_version is None or case.version == expected_version:
        return False
    return seen_events is None or bool(conflicting_changes(case, seen_events))


def _carry_out(
    case: Case,
    step: Step,
    actor: Actor,
    final: bool,
    at: datetime,
    approver: Actor | None,
    flush: bool = True,
) -> CaseEvent:
    data = _apply_inputs(case, step, actor, approver)
    case.state = step.to_state
    _apply_effects(case, step.effects, at)
    if step.transition.name == "escalate":
        # Each level of the ladder has its own target, counted from the escalation.
        clocks.restart_resolve(case, at, clocks.escalation_target(case))
    if final and case.closed_at is None:
        case.closed_at = at
    if final:
        _lapse_requests(case, at)
    case.updated_at = at
    event = events.record(
        case,
        "transition",
        actor_id=actor.id,
        actor_role=_role_of(actor),
        from_state=step.from_state,
        to_state=step.to_state,
        public=True,
        data=data,
        at=at,
    )
    clocks.record_changes(case, step.effects, step.transition.name, at)
    if flush:
        db.session.flush()
    return event


def actor_role(user: User) -> str:
    return _role_of(actor_for(user))


def _role_of(actor: Actor) -> str:
    order = ("system", "complainant", "admin", "supervisor", "officer", "intake", "representative")
    return next((r for r in order if r in actor.roles), sorted(actor.roles)[0])


def _lapse_requests(case: Case, at: datetime) -> None:
    """A case that reached a final state has nothing left to approve."""
    waiting = db.session.scalars(
        select(ApprovalRequest).where(
            ApprovalRequest.case_id == case.id, ApprovalRequest.status == "pending"
        )
    )
    for request in waiting:
        request.status, request.decided_at = "lapsed", at


def _apply_inputs(
    case: Case, step: Step, actor: Actor, approver: Actor | None = None
) -> dict[str, Any]:
    """Carry the transition's inputs into the case; return what the event records."""
    name = step.transition.name
    inputs = dict(step.inputs)
    if approver is not None:
        inputs["approved_by"] = approver.id
    if name == "claim":
        holder = db.session.get(User, actor.id) if actor.id is not None else None
        case.assignee_id = eligibility.require(holder, case).id
    elif "assignee_id" in inputs:
        case.assignee_id = eligibility.require(_officer(inputs["assignee_id"]), case).id
        inputs["assignee_id"] = case.assignee_id
    if "resolution" in inputs:
        case.resolution = str(inputs["resolution"])
        case.resolved_by_id = actor.id
    if "public_outcome" in inputs:
        case.public_outcome = str(inputs["public_outcome"]).strip()
    if "agency" in inputs:
        case.referred_to = str(inputs["agency"])
    if "merged_into" in inputs:
        case.merged_into_id = _merge_target(case, str(inputs["merged_into"]), actor)
        if approver is not None:  # she approves only a merge into a case she may see
            _merge_target(case, str(inputs["merged_into"]), approver)
    if "rating" in inputs:
        case.satisfaction = _rating(inputs["rating"])
    if name == "escalate":
        case.escalation_level = (case.escalation_level or 0) + 1
        inputs["level"] = case.escalation_level
    return {"transition": name, **inputs}


def _officer(raw: object) -> User:
    try:
        user_id = int(str(raw))
    except ValueError:
        raise DomainError("unknown_officer", str(raw)) from None
    user = db.session.get(User, user_id)
    if user is None:
        raise DomainError("unknown_officer", str(raw))
    return user


def _merge_target(case: Case, reference: str, actor: Actor) -> int:
    """The case to merge into: one the actor may see. A case that does not exist and one
    that is not theirs get the same answer, so a merge form cannot probe references."""
    from grievance.cases import policy
    from grievance.security import normalize_reference

    ref = normalize_reference(reference)
    target = db.session.scalar(select(Case).where(Case.reference == ref)) if ref else None
    viewer = db.session.get(User, actor.id) if actor.id is not None else None
    hidden = viewer is not None and target is not None and not policy.can_view(viewer, target)
    if target is None or target.id == case.id or hidden:
        raise DomainError("unknown_case", reference)
    return target.id


def _rating(raw: object) -> int:
    try:
        value = int(str(raw))
    except ValueError:
        raise DomainError("bad_rating", str(raw)) from None
    if not 1 <= value <= 5:
        raise DomainError("bad_rating", str(raw))
    return value


def _apply_effects(case: Case, effects: tuple[Effect, ...], at: datetime) -> None:
    for effect in effects:
        if effect.kind == "set_timestamp":
            setattr(case, effect.target, at)
        elif effect.kind == "clear_timestamp":
            setattr(case, effect.target, None)
        elif effect.kind == "clock" and effect.target == "resolve":
            _resolve_clock(case, effect.action, at)


def _resolve_clock(case: Case, action: str, at: datetime) -> None:
    if action == "pause":
        clocks.pause(case, at)
    elif action == "resume":
        clocks.resume(case, at)
    elif action == "start":
        clocks.restart_resolve(case, at)


def _notify(
    case: Case, effects: tuple[Effect, ...], event: CaseEvent, data: dict[str, Any]
) -> None:
    for effect in effects:
        if effect.kind == "notify":
            context = {"transition": data["transition"], "state": case.state}
            if event.actor_role == "representative":
                context["by"] = "representative"  # told as the representative's step
            emit(Notice(case.id, event.seq, effect.template, effect.target, context=context))


def changes_since(case: Case, seen_events: int) -> list[CaseEvent]:
    """Events added after an actor loaded the page (for the 409 page)."""
    return list(
        db.session.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id == case.id, CaseEvent.seq > seen_events)
            .order_by(CaseEvent.seq)
        )
    )


# Timeline entries that change what a step decides on: its state or its officer.
CONFLICTING_KINDS = ("transition",)


def conflicting_changes(case: Case, seen_events: int) -> list[CaseEvent]:
    """What happened since the actor loaded the page that makes her step a conflict."""
    return [e for e in changes_since(case, seen_events) if e.kind in CONFLICTING_KINDS]
