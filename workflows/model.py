"""Workflow definitions as plain, immutable data.

A workflow is a table of states and transitions. Nothing here changes a case: the engine
reads these tables to decide whether a step is allowed and what it implies, and the app
carries the step out. Keeping the tables inert lets them be validated, tested and drawn
without a database.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

ROLES: frozenset[str] = frozenset(
    {
        "complainant",  # no account: acts through the tracking page with reference + secret
        "representative",
        "intake",
        "officer",
        "supervisor",
        "oversight",
        "admin",
        "system",  # SLA sweep and timers
    }
)
CLOCKS: frozenset[str] = frozenset({"acknowledge", "resolve"})
CLOCK_ACTIONS: frozenset[str] = frozenset({"start", "pause", "resume", "stop"})
INPUTS: frozenset[str] = frozenset(
    {
        "reason",
        "resolution",
        "public_outcome",
        "comment",
        "agency",
        "merged_into",
        "assignee_id",
        "answer",
        "rating",
    }
)
# The engine's guard registry must have exactly these keys (checked by a test); they live
# here so validate() needs no import of the engine.
GUARD_NAMES: frozenset[str] = frozenset(
    {
        "has_assignee",
        "actor_is_assignee_or_supervisor",
        "appeal_window_open",
        "different_officer",
        "auto_close_due",
        "not_merged_into_itself",
        "not_acknowledged",
        "is_acknowledged",
    }
)
EFFECT_KINDS: frozenset[str] = frozenset(
    {"notify", "clock", "approval", "set_timestamp", "clear_timestamp"}
)
NOTIFY_TARGETS: frozenset[str] = frozenset({"complainant", "assignee", "supervisor", "oversight"})
# Columns of the Case model that transitions may stamp with "now" or clear.
TIMESTAMP_FIELDS: frozenset[str] = frozenset(
    {"acknowledged_at", "resolution_proposed_at", "closed_at"}
)
# Target of a transition that leaves the case in whatever state it was in (e.g. reassign).
SAME = "@same"

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class WorkflowDefinitionError(ValueError):
    """A workflow table is inconsistent. A programming error, never shown to complainants."""

    def __init__(self, workflow: str, problems: Iterable[str]) -> None:
        self.workflow = workflow
        self.problems = tuple(problems)
        super().__init__(f"workflow {workflow!r}: " + "; ".join(self.problems))


@dataclass(frozen=True)
class State:
    name: str
    label: str
    explanation: str
    final: bool = False
    clocks: frozenset[str] = frozenset()  # SLA clocks running in this state
    paused: frozenset[str] = frozenset()  # clocks held (not stopped) in this state


@dataclass(frozen=True)
class Effect:
    """Something the app must do when a transition is taken.

    kind "notify": target = recipient (NOTIFY_TARGETS), template = message template name.
    kind "clock": target = clock name, action = start|pause|resume|stop. Derived from the
    states by the engine, never written in a transition.
    kind "approval": target = the role whose approval the new state waits for.
    kind "set_timestamp" / "clear_timestamp": target = a TIMESTAMP_FIELDS column.
    """

    kind: str
    target: str = ""
    template: str = ""
    action: str = ""


def notify(target: str, template: str) -> Effect:
    return Effect("notify", target=target, template=template)


def clock(target: str, action: str) -> Effect:
    return Effect("clock", target=target, action=action)


def approval(role: str) -> Effect:
    return Effect("approval", target=role)


def set_timestamp(column: str) -> Effect:
    return Effect("set_timestamp", target=column)


def clear_timestamp(column: str) -> Effect:
    return Effect("clear_timestamp", target=column)


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str  # a state name, or SAME
    roles: frozenset[str]
    inputs: tuple[str, ...] = ()  # required, must be non-blank
    guards: tuple[str, ...] = ()
    effects: tuple[Effect, ...] = ()
    needs_approval_by: str | None = None
    optional_inputs: tuple[str, ...] = ()
    # A step that takes effect only when someone else, holding this role, approves it.
    # The case keeps its state while the request waits (see the grievance workflow).
    second_person: str | None = None
    # Only transitions marked so may leave a final state (appeal after auto-close).
    reopens: bool = False

    def target_for(self, source: str) -> str:
        return source if self.target == SAME else self.target


@dataclass(frozen=True)
class Workflow:
    name: str
    label: str
    initial: str
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    _states: dict[str, State] = field(init=False, repr=False, compare=False)
    _transitions: dict[str, Transition] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Lookup tables on a frozen instance; duplicates are reported by validate().
        object.__setattr__(self, "_states", {s.name: s for s in self.states})
        object.__setattr__(self, "_transitions", {t.name: t for t in self.transitions})

    def state(self, name: str) -> State:
        try:
            return self._states[name]
        except KeyError:
            raise KeyError(f"workflow {self.name!r} has no state {name!r}") from None

    def has_state(self, name: str) -> bool:
        return name in self._states

    def transition(self, name: str) -> Transition:
        try:
            return self._transitions[name]
        except KeyError:
            raise KeyError(f"workflow {self.name!r} has no transition {name!r}") from None

    def has_transition(self, name: str) -> bool:
        return name in self._transitions

    def transitions_from(self, state: str) -> tuple[Transition, ...]:
        return tuple(t for t in self.transitions if state in t.sources)

    def is_final(self, state: str) -> bool:
        return self.state(state).final

    def open_states(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.states if not s.final)

    def final_states(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.states if s.final)

    def edges(self) -> tuple[tuple[str, Transition, str], ...]:
        """Every (source, transition, target) triple, with SAME resolved."""
        return tuple(
            (src, t, t.target_for(src)) for t in self.transitions for src in sorted(t.sources)
        )

    def validate(self, guards: Collection[str] = GUARD_NAMES) -> None:
        problems = _problems(self, guards)
        if problems:
            raise WorkflowDefinitionError(self.name, problems)


def _problems(wf: Workflow, guards: Collection[str]) -> list[str]:
    problems = _name_problems(wf)
    for s in wf.states:
        problems += _state_problems(s)
    for t in wf.transitions:
        problems += _transition_problems(wf, t, guards)
    problems += _graph_problems(wf)
    return problems


def _duplicates(names: Iterable[str]) -> set[str]:
    return {n for n, count in Counter(names).items() if count > 1}


def _name_problems(wf: Workflow) -> list[str]:
    problems = [f"duplicate state {n!r}" for n in sorted(_duplicates(s.name for s in wf.states))]
    problems += [
        f"duplicate transition {n!r}" for n in sorted(_duplicates(t.name for t in wf.transitions))
    ]
    names = [s.name for s in wf.states] + [t.name for t in wf.transitions]
    problems += [f"bad name {n!r} (lower_snake_case)" for n in names if not _NAME.match(n)]
    if not wf.has_state(wf.initial):
        problems.append(f"initial state {wf.initial!r} is unknown")
    elif wf.is_final(wf.initial):
        problems.append(f"initial state {wf.initial!r} is final")
    if not wf.final_states():
        problems.append("no final state")
    return problems


def _state_problems(s: State) -> list[str]:
    problems = []
    if not s.label.strip() or not s.explanation.strip():
        problems.append(f"state {s.name!r} needs a label and an explanation")
    for c in sorted((s.clocks | s.paused) - CLOCKS):
        problems.append(f"state {s.name!r}: unknown clock {c!r}")
    if s.clocks & s.paused:
        problems.append(f"state {s.name!r}: clocks both running and paused")
    if s.final and (s.clocks or s.paused):
        problems.append(f"final state {s.name!r} keeps a clock")
    return problems


def _transition_problems(wf: Workflow, t: Transition, guards: Collection[str]) -> list[str]:
    p = []
    where = f"transition {t.name!r}"
    if not t.label.strip():
        p.append(f"{where} needs a label")
    if not t.sources:
        p.append(f"{where} has no source state")
    p += [f"{where}: unknown source state {s!r}" for s in sorted(t.sources) if not wf.has_state(s)]
    if t.target != SAME and not wf.has_state(t.target):
        p.append(f"{where}: unknown target state {t.target!r}")
    if not t.roles:
        p.append(f"{where} has no role")
    p += [f"{where}: unknown role {r!r}" for r in sorted(t.roles - ROLES)]
    if t.needs_approval_by is not None and t.needs_approval_by not in ROLES:
        p.append(f"{where}: unknown approving role {t.needs_approval_by!r}")
    if t.second_person is not None and t.second_person not in ROLES - {"system", "complainant"}:
        p.append(f"{where}: no person holds the approving role {t.second_person!r}")
    all_inputs = t.inputs + t.optional_inputs
    p += [f"{where}: unknown input {i!r}" for i in all_inputs if i not in INPUTS]
    p += [f"{where}: input {i!r} listed twice" for i in sorted(_duplicates(all_inputs))]
    p += [f"{where}: unknown guard {g!r}" for g in t.guards if g not in guards]
    p += [f"{where}: {e}" for e in _effect_problems(t.effects)]
    final_sources = {s for s in t.sources if wf.has_state(s) and wf.is_final(s)}
    if final_sources and not t.reopens:
        p.append(f"{where} leaves final state(s) {sorted(final_sources)} but is not a re-open")
    if t.reopens and not final_sources:
        p.append(f"{where} is marked as a re-open but starts from no final state")
    if final_sources and t.target == SAME:
        p.append(f"{where} loops on a final state")
    return p


def _effect_problems(effects: tuple[Effect, ...]) -> list[str]:
    p = []
    for e in effects:
        if e.kind not in EFFECT_KINDS:
            p.append(f"unknown effect kind {e.kind!r}")
        elif e.kind == "clock":
            p.append("clock effects are derived from states, not written on transitions")
        elif e.kind == "notify" and (e.target not in NOTIFY_TARGETS or not e.template):
            p.append(f"bad notify effect {e.target!r}/{e.template!r}")
        elif e.kind == "approval" and e.target not in ROLES:
            p.append(f"approval by unknown role {e.target!r}")
        elif e.kind.endswith("_timestamp") and e.target not in TIMESTAMP_FIELDS:
            p.append(f"unknown timestamp column {e.target!r}")
    return p


def _reach(start: Iterable[str], step: dict[str, set[str]]) -> set[str]:
    seen = set(start)
    todo = deque(seen)
    while todo:
        for nxt in step.get(todo.popleft(), set()) - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


def _graph_problems(wf: Workflow) -> list[str]:
    known = [s for s in wf.states if wf.has_state(s.name)]
    forward: dict[str, set[str]] = {}
    backward: dict[str, set[str]] = {}
    problems = []
    for src, t, dst in wf.edges():
        if not (wf.has_state(src) and wf.has_state(dst)):
            continue
        forward.setdefault(src, set()).add(dst)
        backward.setdefault(dst, set()).add(src)
        before, after = wf.state(src), wf.state(dst)
        for c in sorted(after.paused - before.clocks - before.paused):
            problems.append(f"{t.name!r} from {src!r} pauses clock {c!r} that never ran")
    if wf.has_state(wf.initial):
        reachable = _reach([wf.initial], forward)
        problems += [f"state {s.name!r} is unreachable" for s in known if s.name not in reachable]
    ending = _reach(wf.final_states(), backward)
    for s in known:
        if not s.final and not forward.get(s.name, set()) - {s.name}:
            problems.append(f"state {s.name!r} is a dead end")
        elif s.name not in ending:
            problems.append(f"state {s.name!r} can never reach a final state")
    return problems
