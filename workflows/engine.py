"""Pure decision logic: may this actor take this transition now, and what does it imply?

The engine never changes anything. `plan` returns a Step; the app's service applies it
(state, timestamps, clocks, notifications to the outbox, a CaseEvent) in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from workflows.i18n import N_
from workflows.model import Effect, State, Transition, Workflow, clock

SUPERVISORY_ROLES: frozenset[str] = frozenset({"supervisor", "admin"})


@dataclass(frozen=True)
class Actor:
    id: int | None  # user id; None for the complainant (tracking page) and the system
    roles: frozenset[str]


@dataclass(frozen=True)
class Facts:
    """What guards may know about the case. The app fills every field from the Case row.

    Defaults lean towards refusing (no assignee, windows closed), so a forgotten field
    blocks an action rather than allowing it.
    """

    state: str
    case_id: int | None = None
    reference: str = ""
    assignee_id: int | None = None
    resolved_by_id: int | None = None  # officer who proposed the current resolution
    acknowledged: bool = True  # Case.acknowledged_at is set
    appeal_window_open: bool = False
    auto_close_due: bool = False


Guard = Callable[[Facts, Actor, Mapping[str, object]], bool]


def _has_assignee(facts: Facts, actor: Actor, inputs: Mapping[str, object]) -> bool:
    return facts.assignee_id is not None


def _assignee_or_supervisor(facts: Facts, actor: Actor, inputs: Mapping[str, object]) -> bool:
    if actor.roles & SUPERVISORY_ROLES:
        return True
    return actor.id is not None and actor.id == facts.assignee_id


def _appeal_window_open(facts: Facts, actor: Actor, inputs: Mapping[str, object]) -> bool:
    return facts.appeal_window_open


def _different_officer(facts: Facts, actor: Actor, inputs: Mapping[str, object]) -> bool:
    # Applies to supervisors too: nobody reviews an appeal against their own resolution.
    return actor.id is not None and actor.id != facts.resolved_by_id


def _auto_close_due(facts: Facts, actor: Actor, inputs: Mapping[str, object]) -> bool:
    return facts.auto_close_due


def _not_merged_into_itself(facts: Facts, actor: Actor, inputs: Mapping[str, object]) -> bool:
    # A missing value is MissingInput's business, so it passes here.
    target = str(inputs.get("merged_into") or "").strip().upper()
    own = {facts.reference.strip().upper(), "" if facts.case_id is None else str(facts.case_id)}
    return not target or target not in own


def _not_acknowledged(facts: Facts, actor: Actor, inputs: Mapping[str, object]) -> bool:
    return not facts.acknowledged


def _is_acknowledged(facts: Facts, actor: Actor, inputs: Mapping[str, object]) -> bool:
    return facts.acknowledged


GUARDS: dict[str, Guard] = {
    "has_assignee": _has_assignee,
    "actor_is_assignee_or_supervisor": _assignee_or_supervisor,
    "appeal_window_open": _appeal_window_open,
    "different_officer": _different_officer,
    "auto_close_due": _auto_close_due,
    "not_merged_into_itself": _not_merged_into_itself,
    "not_acknowledged": _not_acknowledged,
    "is_acknowledged": _is_acknowledged,
}
GUARD_MESSAGES: dict[str, str] = {
    "has_assignee": N_("This case has no officer yet. Assign it first."),
    "actor_is_assignee_or_supervisor": N_(
        "Only the officer assigned to this case or a supervisor can do this."
    ),
    "appeal_window_open": N_("The time to appeal against this answer has passed."),
    "different_officer": N_(
        "An appeal must be reviewed by a different officer from the one who proposed the answer."
    ),
    "auto_close_due": N_("It is not yet time to close this case automatically."),
    "not_merged_into_itself": N_("A case cannot be merged into itself."),
    "not_acknowledged": N_("This case has already been acknowledged."),
    "is_acknowledged": N_("Acknowledge this case first."),
}


class WorkflowError(Exception):
    """A refused step. `message` is an N_ msgid for the user; `code` is stable for APIs."""

    code = "workflow_error"
    http_status = 409
    message = N_("This action is not possible.")

    def __init__(self, detail: str = "") -> None:
        self.detail = detail
        super().__init__(f"{self.code}: {detail}" if detail else self.code)


class NotAllowedHere(WorkflowError):
    code = "not_allowed_here"
    message = N_("This action is not possible at this stage of the case.")

    def __init__(self, transition: str, state: str) -> None:
        self.transition = transition
        self.state = state
        super().__init__(f"{transition!r} from {state!r}")


class RoleNotPermitted(WorkflowError):
    code = "role_not_permitted"
    http_status = 403
    message = N_("You are not allowed to do this.")

    def __init__(self, transition: str, roles: frozenset[str]) -> None:
        self.transition = transition
        self.roles = roles
        super().__init__(f"{transition!r} by {sorted(roles)}")


class MissingInput(WorkflowError):
    code = "missing_input"
    http_status = 400
    message = N_("Please fill in this field.")

    def __init__(self, field: str) -> None:
        self.field = field
        super().__init__(field)


class GuardFailed(WorkflowError):
    code = "guard_failed"

    def __init__(self, guard: str) -> None:
        self.guard = guard
        self.message = GUARD_MESSAGES.get(guard, WorkflowError.message)
        super().__init__(guard)


class NeedsSecondPerson(WorkflowError):
    """The step hides a case: it is asked for, and takes effect once someone else approves."""

    code = "needs_second_person"
    message = N_("This step takes effect only once a supervisor approves it.")

    def __init__(self, transition: str) -> None:
        self.transition = transition
        super().__init__(transition)


class SamePerson(WorkflowError):
    code = "same_person"
    http_status = 403
    message = N_("Someone other than the person who asked must approve this.")

    def __init__(self, transition: str) -> None:
        self.transition = transition
        super().__init__(transition)


@dataclass(frozen=True)
class Step:
    """An allowed transition, with everything the app must do to carry it out."""

    transition: Transition
    from_state: str
    to_state: str
    effects: tuple[Effect, ...]
    inputs: Mapping[str, object] = field(default_factory=dict)  # declared inputs only

    @property
    def held(self) -> bool:
        """Taken only through an approval by a second person."""
        return self.transition.second_person is not None

    def effects_of(self, kind: str) -> tuple[Effect, ...]:
        return tuple(e for e in self.effects if e.kind == kind)


def clock_effects(before: State, after: State) -> tuple[Effect, ...]:
    """Clock changes implied by moving between two states (sorted for stable output)."""
    effects = []
    for name in sorted(before.clocks | before.paused | after.clocks | after.paused):
        was_running, was_paused = name in before.clocks, name in before.paused
        if name in after.clocks:
            action = "resume" if was_paused else "" if was_running else "start"
        elif name in after.paused:
            action = "pause" if was_running else ""
        else:
            action = "stop"
        if action:
            effects.append(clock(name, action))
    return tuple(effects)


def initial_effects(workflow: Workflow) -> tuple[Effect, ...]:
    """Clocks to start when a case is filed in the workflow's initial state."""
    return tuple(clock(c, "start") for c in sorted(workflow.state(workflow.initial).clocks))


def _guard_failure(
    t: Transition, facts: Facts, actor: Actor, inputs: Mapping[str, object]
) -> str | None:
    for name in t.guards:
        if not GUARDS[name](facts, actor, inputs):
            return name
    return None


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def available_transitions(workflow: Workflow, facts: Facts, actor: Actor) -> list[Transition]:
    """Transitions the actor could take now, inputs aside (for buttons and the SLA sweep)."""
    return [
        t
        for t in workflow.transitions_from(facts.state)
        if t.roles & actor.roles and _guard_failure(t, facts, actor, {}) is None
    ]


def check_second_person(t: Transition, asker: Actor, approver: Actor) -> None:
    """Raise unless `approver` may make `asker`'s step `t` take effect: a step held for a
    second person, approved by someone holding its role who is not the asker."""
    if t.second_person is None:
        raise NotAllowedHere(t.name, "approval")
    if t.second_person not in approver.roles:
        raise RoleNotPermitted(t.name, approver.roles)
    if approver.id is None or approver.id == asker.id:
        raise SamePerson(t.name)


def plan(
    workflow: Workflow,
    facts: Facts,
    actor: Actor,
    name: str,
    inputs: Mapping[str, object],
    *,
    approver: Actor | None = None,
) -> Step:
    """Check a requested transition and return what it implies, or raise a WorkflowError.

    With `approver`, the step is one `actor` asked for and `approver` now approves: both
    are checked. Whether a held step may be taken without one is the app's to enforce
    (`Step.held`), since the same plan also checks the asking."""
    if not workflow.has_transition(name) or not workflow.has_state(facts.state):
        raise NotAllowedHere(name, facts.state)
    t = workflow.transition(name)
    if facts.state not in t.sources:
        raise NotAllowedHere(name, facts.state)
    if not t.roles & actor.roles:
        raise RoleNotPermitted(name, actor.roles)
    for field_name in t.inputs:
        if _is_blank(inputs.get(field_name)):
            raise MissingInput(field_name)
    failed = _guard_failure(t, facts, actor, inputs)
    if failed is not None:
        raise GuardFailed(failed)
    if approver is not None:
        check_second_person(t, actor, approver)
    target = t.target_for(facts.state)
    derived = clock_effects(workflow.state(facts.state), workflow.state(target))
    declared = {
        k: v.strip() if isinstance(v, str) else v
        for k, v in inputs.items()
        if k in t.inputs + t.optional_inputs and not _is_blank(v)
    }
    return Step(t, facts.state, target, t.effects + derived, declared)
