"""validate() must catch each kind of mistake in a workflow table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from workflows import SAME, State, Transition, Workflow, WorkflowDefinitionError
from workflows.model import Effect, notify, set_timestamp

ROLE = frozenset({"officer"})


def good() -> Workflow:
    return Workflow(
        name="tiny",
        label="Tiny",
        initial="new",
        states=(
            State("new", "New", "It is new.", clocks=frozenset({"resolve"})),
            State("waiting", "Waiting", "We wait.", paused=frozenset({"resolve"})),
            State("done", "Done", "It is done.", final=True),
        ),
        transitions=(
            Transition("ask", "Ask", frozenset({"new"}), "waiting", ROLE, inputs=("comment",)),
            Transition("reply", "Reply", frozenset({"waiting"}), "new", ROLE),
            Transition("finish", "Finish", frozenset({"new", "waiting"}), "done", ROLE),
            Transition("note", "Note", frozenset({"new"}), SAME, ROLE),
        ),
    )


def with_state(wf: Workflow, state: State) -> Workflow:
    return replace(wf, states=(*wf.states, state))


def with_transition(wf: Workflow, t: Transition) -> Workflow:
    return replace(wf, transitions=(*wf.transitions, t))


def change_transition(wf: Workflow, name: str, **changes: object) -> Workflow:
    ts = tuple(replace(t, **changes) if t.name == name else t for t in wf.transitions)  # type: ignore[arg-type]
    return replace(wf, transitions=ts)


def change_state(wf: Workflow, name: str, **changes: object) -> Workflow:
    ss = tuple(replace(s, **changes) if s.name == name else s for s in wf.states)  # type: ignore[arg-type]
    return replace(wf, states=ss)


def t(name: str, sources: set[str], target: str, **kw: object) -> Transition:
    return Transition(name, name.title(), frozenset(sources), target, ROLE, **kw)  # type: ignore[arg-type]


BREAKERS: dict[str, tuple[Callable[[Workflow], Workflow], str]] = {
    "unknown source": (lambda w: with_transition(w, t("x", {"limbo"}, "done")), "unknown source"),
    "unknown target": (lambda w: with_transition(w, t("x", {"new"}, "limbo")), "unknown target"),
    "no source": (lambda w: with_transition(w, t("x", set(), "done")), "no source"),
    "duplicate state": (
        lambda w: with_state(w, State("done", "D", "Again.", final=True)),
        "duplicate state",
    ),
    "duplicate transition": (
        lambda w: with_transition(w, t("finish", {"new"}, "done")),
        "duplicate transition",
    ),
    "bad name": (lambda w: with_transition(w, t("Finish-Now", {"new"}, "done")), "bad name"),
    "unreachable": (
        lambda w: with_state(w, State("orphan", "O", "Nobody comes here.", final=True)),
        "unreachable",
    ),
    "dead end": (
        lambda w: with_transition(
            with_state(w, State("stuck", "S", "Stuck.")), t("jam", {"new"}, "stuck")
        ),
        "dead end",
    ),
    "only a self-loop is still a dead end": (
        lambda w: with_transition(
            with_transition(
                with_state(w, State("stuck", "S", "Stuck.")), t("jam", {"new"}, "stuck")
            ),
            t("spin", {"stuck"}, SAME),
        ),
        "dead end",
    ),
    "no way to a final state": (lambda w: _loop(w), "never reach a final state"),
    "final state left": (
        lambda w: with_transition(w, t("undo", {"done"}, "new")),
        "not a re-open",
    ),
    "reopen from nowhere final": (
        lambda w: with_transition(w, t("undo", {"new"}, "done", reopens=True)),
        "starts from no final state",
    ),
    "self-loop on final": (
        lambda w: with_transition(w, t("poke", {"done"}, SAME, reopens=True)),
        "loops on a final state",
    ),
    "unknown role": (
        lambda w: change_transition(w, "finish", roles=frozenset({"janitor"})),
        "unknown role",
    ),
    "no role": (lambda w: change_transition(w, "finish", roles=frozenset()), "no role"),
    "unknown approver": (
        lambda w: change_transition(w, "finish", needs_approval_by="king"),
        "approving role",
    ),
    "unknown guard": (lambda w: change_transition(w, "finish", guards=("moon_is_full",)), "guard"),
    "unknown input": (lambda w: change_transition(w, "finish", inputs=("shoe_size",)), "input"),
    "input twice": (
        lambda w: change_transition(w, "finish", inputs=("reason",), optional_inputs=("reason",)),
        "listed twice",
    ),
    "explicit clock effect": (
        lambda w: change_transition(
            w, "finish", effects=(Effect("clock", "resolve", action="stop"),)
        ),
        "derived from states",
    ),
    "unknown effect": (
        lambda w: change_transition(w, "finish", effects=(Effect("dance"),)),
        "unknown effect kind",
    ),
    "bad notify": (
        lambda w: change_transition(w, "finish", effects=(notify("neighbour", "hi"),)),
        "bad notify",
    ),
    "bad timestamp": (
        lambda w: change_transition(w, "finish", effects=(set_timestamp("lunch_at"),)),
        "timestamp column",
    ),
    "unknown clock": (
        lambda w: change_state(w, "new", clocks=frozenset({"egg_timer"})),
        "unknown clock",
    ),
    "running and paused": (
        lambda w: change_state(w, "waiting", clocks=frozenset({"resolve"})),
        "both running and paused",
    ),
    "final keeps a clock": (
        lambda w: change_state(w, "done", clocks=frozenset({"resolve"})),
        "keeps a clock",
    ),
    "pause a clock that never ran": (
        lambda w: change_state(w, "new", clocks=frozenset()),
        "never ran",
    ),
    "unknown initial": (lambda w: replace(w, initial="limbo"), "initial state"),
    "final initial": (lambda w: replace(w, initial="done"), "is final"),
    "no final state": (lambda w: change_state(w, "done", final=False), "no final state"),
    "no label": (lambda w: change_state(w, "new", label=" "), "label"),
}


def _loop(w: Workflow) -> Workflow:
    w = with_state(with_state(w, State("a", "A", "A.")), State("b", "B", "B."))
    w = with_transition(w, t("to_a", {"new"}, "a"))
    w = with_transition(w, t("a_b", {"a"}, "b"))
    return with_transition(w, t("b_a", {"b"}, "a"))


def test_the_tiny_workflow_is_valid() -> None:
    good().validate()


@pytest.mark.parametrize("case", sorted(BREAKERS))
def test_validate_reports(case: str) -> None:
    breaker, expected = BREAKERS[case]
    with pytest.raises(WorkflowDefinitionError) as caught:
        breaker(good()).validate()
    assert any(expected in p for p in caught.value.problems), caught.value.problems


def test_all_problems_are_reported_at_once() -> None:
    broken = change_transition(good(), "finish", roles=frozenset({"janitor"}), guards=("nope",))
    with pytest.raises(WorkflowDefinitionError) as caught:
        broken.validate()
    assert len(caught.value.problems) == 2
    assert "tiny" in str(caught.value)
