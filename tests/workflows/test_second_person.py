"""Steps held for a second person: which they are, and who may approve them (pure)."""

from __future__ import annotations

import pytest

from tests.workflows.helpers import actor, full_inputs, passing_facts
from workflows import (
    WORKFLOWS,
    Actor,
    NotAllowedHere,
    RoleNotPermitted,
    SamePerson,
    check_second_person,
    get_workflow,
    plan,
)

G = get_workflow("grievance")


def test_only_the_steps_that_hide_a_case_are_held() -> None:
    every = [(wf.name, t) for wf in WORKFLOWS.values() for t in wf.transitions]
    held = {(name, t.name) for name, t in every if t.second_person}
    assert held == {("grievance", "withdraw_for_complainant"), ("grievance", "merge")}
    assert G.transition("withdraw").second_person is None  # she does it herself


@pytest.mark.parametrize("name", ["withdraw_for_complainant", "merge"])
def test_a_held_step_is_planned_with_an_approver_other_than_the_asker(name: str) -> None:
    t = G.transition(name)
    facts = passing_facts(t, "in_progress")
    inputs = full_inputs(merged_into="ZZZZ-ZZZZ")
    asker = actor("intake", "supervisor", id=1)
    assert plan(G, facts, asker, name, inputs).held  # asking: the app records a request
    step = plan(G, facts, asker, name, inputs, approver=actor("supervisor", id=2))
    assert step.to_state == t.target
    with pytest.raises(SamePerson):
        plan(G, facts, asker, name, inputs, approver=actor("supervisor", id=1))
    with pytest.raises(RoleNotPermitted):
        plan(G, facts, asker, name, inputs, approver=actor("officer", "admin", id=3))
    with pytest.raises(SamePerson):  # nobody without an account approves
        check_second_person(t, asker, Actor(id=None, roles=frozenset({"supervisor"})))


def test_a_step_not_held_cannot_be_approved() -> None:
    t = G.transition("acknowledge")
    with pytest.raises(NotAllowedHere):
        check_second_person(t, actor("intake", id=1), actor("supervisor", id=2))
