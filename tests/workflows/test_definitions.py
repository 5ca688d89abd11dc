from __future__ import annotations

import pytest

from workflows import (
    ALL_STATES,
    GUARD_MESSAGES,
    GUARDS,
    KIND_WORKFLOWS,
    WORKFLOWS,
    get_workflow,
    workflow_for_kind,
)
from workflows.model import GUARD_NAMES, SAME


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_registered_workflows_are_valid(name: str) -> None:
    WORKFLOWS[name].validate()


def test_guard_registry_matches_the_names_validate_accepts() -> None:
    assert set(GUARDS) == GUARD_NAMES
    assert set(GUARD_MESSAGES) == GUARD_NAMES


@pytest.mark.parametrize("kind", ["grievance", "information_request", "suggestion"])
def test_each_kind_has_a_workflow(kind: str) -> None:
    assert workflow_for_kind(kind).name == KIND_WORKFLOWS[kind]
    assert get_workflow(KIND_WORKFLOWS[kind]) is workflow_for_kind(kind)


def test_unknown_kind_and_name_are_refused() -> None:
    with pytest.raises(KeyError):
        workflow_for_kind("praise")
    with pytest.raises(KeyError):
        get_workflow("nope")


def test_all_states_fit_the_state_column() -> None:
    for wf in WORKFLOWS.values():
        assert set(wf.open_states()) | set(wf.final_states()) <= set(ALL_STATES)
    assert all(len(s) <= 32 for s in ALL_STATES)


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_every_state_and_transition_speaks_plainly(name: str) -> None:
    wf = WORKFLOWS[name]
    for s in wf.states:
        assert s.label and s.explanation.endswith(".")
        # Deadlines come from the SLA policy, so texts must not promise a number of days.
        assert not any(ch.isdigit() for ch in s.explanation)
    for t in wf.transitions:
        assert t.label and len(t.label) <= 40


def test_grievance_shape_matches_the_design() -> None:
    wf = workflow_for_kind("grievance")
    assert wf.initial == "submitted"
    assert set(wf.final_states()) == {"closed", "referred", "rejected", "withdrawn", "merged"}
    assert wf.state("awaiting_complainant").paused == {"resolve"}
    assert wf.transition("escalate").sources == set(wf.open_states())
    assert wf.transition("reassign").target == SAME
    assert wf.transition("propose_rejection").needs_approval_by == "supervisor"
    assert [t.name for t in wf.transitions_from("closed")] == ["appeal"]


def test_helpers_look_things_up() -> None:
    wf = WORKFLOWS["suggestion"]
    assert wf.is_final("closed") and not wf.is_final("received")
    assert wf.open_states() == ("received", "acknowledged")
    with pytest.raises(KeyError):
        wf.state("nope")
    with pytest.raises(KeyError):
        wf.transition("nope")
