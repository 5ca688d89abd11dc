"""Names the case templates need to show data-held values in the reader's language."""

from __future__ import annotations

from typing import Any

from flask import Flask

from grievance.cases.models import Case
from grievance.domain import CHANNELS, CONFIDENTIALITY, KINDS, PRIORITIES, ROLES
from workflows import get_workflow
from workflows.i18n import N_

EVENT_KINDS = {
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
    "entity": N_("Employer or facility confirmed"),
    "systemic_answer": N_("Answer of the systemic case sent to this case"),
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
    "checks": N_("Checks passed"),
    "note": N_("Note"),
    "from": N_("From"),
    "to": N_("To"),
    "rating": N_("Rating"),
    "level": N_("Escalation level"),
    "clock": N_("Clock"),
    "action": N_("Change"),
}
ACTOR_ROLES = {**ROLES, "system": N_("Samleng (automatic)"), "complainant": N_("Complainant")}


def state_label(case: Case) -> str:
    return get_workflow(case.workflow).state(case.state).label


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
        }
