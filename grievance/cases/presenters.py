"""Names the case templates need to show data-held values in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask
from flask_babel import get_locale, gettext
from sqlalchemy import select

from grievance.auth.models import Organisation, User
from grievance.cases.models import Case, CaseEvent
from grievance.domain import CHANNELS, CONFIDENTIALITY, KINDS, LANGUAGES, PRIORITIES, ROLES, SEXES
from grievance.extensions import db
from grievance.queues.models import Queue
from workflows import Transition, Workflow, get_workflow
from workflows.i18n import N_

EVENT_KINDS = {
    "call": N_("Phone call with the complainant"),
    "caller_lookup": N_("Found by the hotline desk from the caller's phone number"),
    "clock": N_("Deadline clock changed"),
    "sla_at_risk": N_("Deadline at risk"),
    "sla_breach": N_("Deadline missed"),
    "break_glass": N_("Restricted case opened with a reason"),
    "notification": N_("Message sent"),
    "rating": N_("Satisfaction rating"),
    "queue": N_("Moved to another queue"),
    "secret_guessing": N_("Many wrong secrets tried on the status page"),
    "secret_check": N_("Code sent to the phone on file to check a caller"),
    "secret_reissued": N_("New secret given to the complainant"),
    "codes_sent": N_("The complainant asked for the codes by SMS"),
    "member_agreed": N_("The member agreed to the representative's next step"),
    "entity": N_("Employer or facility confirmed"),
    "systemic_answer": N_("Answer of the systemic case sent to this case"),
    "approval_requested": N_("Asked for a supervisor's approval"),
    "approval_refused": N_("A supervisor refused the request"),
}
INPUT_LABELS = {
    "reason": N_("Reason"),
    "comment": N_("Message"),
    "text": N_("Message"),
    "resolution": N_("Proposed resolution"),
    "answer": N_("Answer"),
    "agency": N_("Referred to"),
    "merged_into": N_("Merged into"),
    "assignee_id": N_("Officer"),
    "queue": N_("Queue"),
    "limit": N_("Limit"),
    "method": N_("How"),
    "how": N_("How"),
    "step": N_("Step"),
    "checks": N_("Checks passed"),
    "note": N_("Note"),
    "from": N_("From"),
    "to": N_("To"),
    "rating": N_("Rating"),
    "level": N_("Escalation level"),
    "clock": N_("Clock"),
    "action": N_("Change"),
    "direction": N_("Call"),
    "sms": N_("Also sent by SMS"),
    "approved_by": N_("Approved by"),
}
CALL_DIRECTIONS = {"in": N_("The complainant called us"), "out": N_("We called the complainant")}
ACTOR_ROLES = {**ROLES, "system": N_("Samleng (automatic)"), "complainant": N_("Complainant")}
CLOCKS = {"resolve": N_("Resolution deadline"), "acknowledge": N_("Acknowledgement deadline")}
CLOCK_ACTIONS = {
    "pause": N_("paused"),
    "resume": N_("running again"),
    "restart": N_("counted again from here"),
}
# Reasons the system writes as codes; people read them in words.
CODED_REASONS: dict[str, str] = {}
_HIDDEN = ("transition", "channel", "flag")  # a flag is said by the event's heading


def event_details(event: CaseEvent, workflow: Workflow) -> list[tuple[str, str]]:
    """An event's data as (label, value) lines in staff words: names, not ids or codes."""
    data = dict(event.data or {})
    if event.kind == "clock":
        return _clock_lines(data, workflow)
    lines = []
    step = str(data.get("transition", ""))
    if event.kind.startswith("approval_") and workflow.has_transition(step):
        lines.append((gettext("Step"), gettext(workflow.transition(step).label)))
    for key, value in data.items():
        if key in _HIDDEN or value in (None, ""):
            continue
        label = gettext(INPUT_LABELS.get(key, key))
        lines.append((label, _value(key, value, workflow, event.kind)))
    return lines


def _clock_lines(data: dict[str, Any], workflow: Workflow) -> list[tuple[str, str]]:
    if data.get("action") == "priority":
        change = f"{_priority(data.get('from'))} → {_priority(data.get('to'))}"
        lines = [(gettext("Priority"), change)]
        if data.get("reason"):
            lines.append((gettext("Reason"), str(data["reason"])))
        return lines
    clock = gettext(CLOCKS.get(str(data.get("clock")), N_("Deadline")))
    action = CLOCK_ACTIONS.get(str(data.get("action")))
    what = gettext(action) if action else str(data.get("action", ""))
    step = data.get("reason")
    if step and workflow.has_transition(str(step)):
        what = f"{what} ({gettext(workflow.transition(str(step)).label)})"
    lines = [(clock, what)]
    if data.get("level"):
        lines.append((gettext("Escalation level"), str(data["level"])))
    return lines


def _value(key: str, value: object, workflow: Workflow, kind: str) -> str:
    if key in ("assignee_id", "approved_by"):
        user = db.session.get(User, int(str(value))) if str(value).isdigit() else None
        return user.name if user is not None else gettext("an officer no longer listed")
    if key == "direction":
        return gettext(CALL_DIRECTIONS.get(str(value), str(value)))
    if key == "sms":
        return gettext("Yes") if value else gettext("No")
    if key == "reason" and str(value) in CODED_REASONS:
        return gettext(CODED_REASONS[str(value)])
    if key in ("queue", "from", "to") and kind in ("queue", "filed"):
        return _queue_name(str(value))
    return str(value)


def _priority(code: object) -> str:
    label = PRIORITIES.get(str(code))
    return gettext(label) if label else str(code)


def _queue_name(code: str) -> str:
    queue = db.session.scalar(select(Queue).where(Queue.code == code))
    return queue.name(_lang()) if queue else code


# Staff words for states whose label speaks to the complainant ("Waiting for your answer").
STAFF_STATES = {
    "submitted": N_("New, not yet acknowledged"),
    "awaiting_complainant": N_("Waiting for the complainant's answer"),
    "rejection_pending": N_("Rejection awaiting a supervisor"),
    "resolution_proposed": N_("Answer sent to the complainant"),
    "referred": N_("Referred to another agency"),
    "merged": N_("Merged into another case"),
}


CONSENT_HOW = {
    "written": N_("In writing"),
    "verbal": N_("By word of mouth"),
    "thumbprint": N_("By thumbprint"),
}


@dataclass(frozen=True)
class Header:
    """What decides how to handle a case, in words, for the top of the case page."""

    language: str
    sex: str | None  # the complainant's, None when anonymous
    woman_officer: bool
    consent: str | None  # how the member agreed, by whom, when (filed by a representative)
    organisation: str | None
    days_open: int


def header(case: Case, now: datetime) -> Header:
    person = case.complainant
    sex = gettext(SEXES.get(person.sex, person.sex)) if person is not None else None
    organisation = None
    if case.organisation_id is not None:
        org = db.session.get(Organisation, case.organisation_id)
        organisation = (org.name_km or org.name) if org and _lang() == "km" else org and org.name
    consent = None
    if case.consent:
        how = CONSENT_HOW.get(str(case.consent.get("how")))
        by = db.session.get(User, case.consent["by"]) if case.consent.get("by") else None
        consent = gettext(how) if how else gettext("Given")
        if by is not None:
            consent = gettext("%(how)s, recorded by %(name)s", how=consent, name=by.name)
    end = case.closed_at or now
    return Header(
        language=LANGUAGES.get(case.language, case.language),
        sex=sex,
        woman_officer=case.prefers_woman_officer,
        consent=consent,
        organisation=organisation,
        days_open=max(0, (end - case.created_at).days),
    )


def _lang() -> str:
    locale = get_locale()
    return locale.language if locale else "km"


def state_label(case: Case) -> str:
    return get_workflow(case.workflow).state(case.state).label


def staff_state(workflow: str, state: str | None) -> str:
    """A state's label as staff say it (a msgid)."""
    if state is None:
        return ""
    return STAFF_STATES.get(state) or get_workflow(workflow).state(state).label


def staff_state_label(case: Case) -> str:
    return staff_state(case.workflow, case.state)


def init_app(app: Flask) -> None:
    @app.context_processor
    def case_names() -> dict[str, Any]:
        return {
            "kinds": KINDS,
            "priorities": PRIORITIES,
            "confidentiality": CONFIDENTIALITY,
            "channels": CHANNELS,
            "event_kinds": EVENT_KINDS,
            "input_labels": INPUT_LABELS,
            "actor_roles": ACTOR_ROLES,
            "workflow_state_label": state_label,
            "get_workflow": get_workflow,
            "event_details": event_details,
            "staff_state": staff_state,
            "staff_state_label": staff_state_label,
            "primary_action": primary_action,
        }


# The one next step that moves a case on, per state: shown first and as the primary button.
PRIMARY = {
    "submitted": "acknowledge",
    "acknowledged": "claim",
    "assigned": "start_work",
    "in_progress": "propose_resolution",
    "awaiting_complainant": "resume_work",
    "escalated": "deescalate",
    "rejection_pending": "approve_rejection",
    "appealed": "revise_resolution",
    "received": "acknowledge",
    "answered": "accept_answer",
}
TOLD = {
    "complainant": N_("The complainant is told."),
    "assignee": N_("The officer of the case is told."),
    "supervisor": N_("The supervisors are told."),
}


def ordered_actions(state: str, actions: list[Transition]) -> list[Transition]:
    """The primary next step first, the others in the workflow's order."""
    first = PRIMARY.get(state)
    return sorted(actions, key=lambda a: a.name != first)


def primary_action(state: str) -> str | None:
    return PRIMARY.get(state)


def done_message(case: Case, transition: Transition) -> str:
    """What happened and who is told, after a step."""
    state = gettext(staff_state(case.workflow, case.state))
    said = [
        gettext(
            "%(step)s: done. The case is now “%(state)s”.",
            step=gettext(transition.label),
            state=state,
        )
    ]
    targets = [e.target for e in transition.effects if e.kind == "notify"]
    said += [gettext(TOLD[t]) for t in dict.fromkeys(targets) if t in TOLD]
    return " ".join(said)
