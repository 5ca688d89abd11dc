"""Pure workflow tables and engine: no Flask, no SQLAlchemy.

The app builds Facts and an Actor from its models, asks `plan` for a Step, and applies
the Step's effects itself.
"""

from workflows.definitions import (
    ALL_STATES,
    KIND_WORKFLOWS,
    WORKFLOWS,
    get_workflow,
    workflow_for_kind,
)
from workflows.engine import (
    GUARD_MESSAGES,
    GUARDS,
    Actor,
    Facts,
    GuardFailed,
    MissingInput,
    NeedsSecondPerson,
    NotAllowedHere,
    RoleNotPermitted,
    SamePerson,
    Step,
    WorkflowError,
    available_transitions,
    check_second_person,
    clock_effects,
    initial_effects,
    plan,
)
from workflows.i18n import N_
from workflows.model import (
    ROLES,
    SAME,
    Effect,
    State,
    Transition,
    Workflow,
    WorkflowDefinitionError,
)

__all__ = [
    "ALL_STATES",
    "GUARDS",
    "GUARD_MESSAGES",
    "KIND_WORKFLOWS",
    "N_",
    "ROLES",
    "SAME",
    "WORKFLOWS",
    "Actor",
    "Effect",
    "Facts",
    "GuardFailed",
    "MissingInput",
    "NeedsSecondPerson",
    "NotAllowedHere",
    "RoleNotPermitted",
    "SamePerson",
    "State",
    "Step",
    "Transition",
    "Workflow",
    "WorkflowDefinitionError",
    "WorkflowError",
    "available_transitions",
    "check_second_person",
    "clock_effects",
    "get_workflow",
    "initial_effects",
    "plan",
    "workflow_for_kind",
]
