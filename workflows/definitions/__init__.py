"""Registry of the built-in workflows. A case's kind (from its category) picks one."""

from __future__ import annotations

from workflows.definitions.grievance import GRIEVANCE
from workflows.definitions.information_request import INFORMATION_REQUEST
from workflows.definitions.suggestion import SUGGESTION
from workflows.model import Workflow

WORKFLOWS: dict[str, Workflow] = {
    wf.name: wf for wf in (GRIEVANCE, INFORMATION_REQUEST, SUGGESTION)
}
# Kinds and workflow names coincide today; the mapping keeps them free to diverge.
KIND_WORKFLOWS: dict[str, str] = {
    "grievance": "grievance",
    "information_request": "information_request",
    "suggestion": "suggestion",
}
# Every state name any workflow uses (for the Case.state CHECK constraint).
ALL_STATES: tuple[str, ...] = tuple(
    sorted({s.name for wf in WORKFLOWS.values() for s in wf.states})
)


def workflow_for_kind(kind: str) -> Workflow:
    try:
        return WORKFLOWS[KIND_WORKFLOWS[kind]]
    except KeyError:
        raise KeyError(f"no workflow for case kind {kind!r}") from None


def get_workflow(name: str) -> Workflow:
    """The workflow stored on a case (Case.workflow)."""
    try:
        return WORKFLOWS[name]
    except KeyError:
        raise KeyError(f"unknown workflow {name!r}") from None
