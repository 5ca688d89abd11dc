"""Every workflow x transition x role x state: plan() succeeds or raises the defined error."""

from __future__ import annotations

import pytest

from tests.workflows.helpers import actor, full_inputs, passing_facts
from workflows import (
    WORKFLOWS,
    Facts,
    MissingInput,
    NotAllowedHere,
    RoleNotPermitted,
    available_transitions,
    plan,
)
from workflows.model import ROLES

CASES = [
    (wf.name, t.name, role)
    for wf in WORKFLOWS.values()
    for t in wf.transitions
    for role in sorted(ROLES)
]


@pytest.mark.parametrize(("wf_name", "t_name", "role"), CASES)
def test_plan_follows_the_table(wf_name: str, t_name: str, role: str) -> None:
    wf = WORKFLOWS[wf_name]
    t = wf.transition(t_name)
    who = actor(role)
    for state in wf.open_states() + wf.final_states():
        facts = passing_facts(t, state)
        if state not in t.sources:
            with pytest.raises(NotAllowedHere):
                plan(wf, facts, who, t_name, full_inputs())
        elif role not in t.roles:
            with pytest.raises(RoleNotPermitted):
                plan(wf, facts, who, t_name, full_inputs())
        else:
            step = plan(wf, facts, who, t_name, full_inputs())
            assert (step.from_state, step.to_state) == (state, t.target_for(state))
            assert step.transition is t
            assert set(step.inputs) <= set(t.inputs + t.optional_inputs)
            assert t in available_transitions(wf, facts, who)


@pytest.mark.parametrize(
    ("wf_name", "t_name"), [(wf.name, t.name) for wf in WORKFLOWS.values() for t in wf.transitions]
)
def test_each_required_input_is_enforced(wf_name: str, t_name: str) -> None:
    wf = WORKFLOWS[wf_name]
    t = wf.transition(t_name)
    who = actor(*t.roles)
    facts = passing_facts(t, sorted(t.sources)[0])
    for name in t.inputs:
        for blank in (None, "", "   "):
            with pytest.raises(MissingInput) as caught:
                plan(wf, facts, who, t_name, full_inputs(**{name: blank}))
            assert caught.value.field == name
        without = {k: v for k, v in full_inputs().items() if k != name}
        with pytest.raises(MissingInput):
            plan(wf, facts, who, t_name, without)


def test_unknown_transition_or_state_is_not_allowed_here() -> None:
    wf = WORKFLOWS["grievance"]
    with pytest.raises(NotAllowedHere):
        plan(wf, Facts(state="submitted"), actor("supervisor"), "teleport", {})
    with pytest.raises(NotAllowedHere):
        plan(wf, Facts(state="on_the_moon"), actor("supervisor"), "acknowledge", {})


def test_checks_happen_in_the_documented_order() -> None:
    wf = WORKFLOWS["grievance"]
    t = wf.transition("propose_rejection")
    # Wrong state beats wrong role; wrong role beats missing input; input beats guard.
    with pytest.raises(NotAllowedHere):
        plan(wf, passing_facts(t, "closed"), actor("complainant"), t.name, {})
    with pytest.raises(RoleNotPermitted):
        plan(wf, passing_facts(t, "in_progress"), actor("complainant"), t.name, {})
    with pytest.raises(MissingInput):
        plan(wf, passing_facts(t, "in_progress", assignee_id=1), actor("officer"), t.name, {})


def test_errors_carry_codes_and_statuses_for_the_app() -> None:
    assert (NotAllowedHere("a", "b").code, NotAllowedHere("a", "b").http_status) == (
        "not_allowed_here",
        409,
    )
    assert RoleNotPermitted("a", frozenset()).http_status == 403
    assert MissingInput("reason").http_status == 400


def test_step_keeps_only_declared_inputs_stripped() -> None:
    wf = WORKFLOWS["grievance"]
    t = wf.transition("propose_rejection")
    step = plan(
        wf,
        passing_facts(t, "in_progress"),
        actor("officer"),
        t.name,
        {"reason": "  out of scope ", "csrf_token": "x"},
    )
    assert dict(step.inputs) == {"reason": "out of scope"}
    assert step.transition.needs_approval_by == "supervisor"
    assert [e.target for e in step.effects_of("approval")] == ["supervisor"]
