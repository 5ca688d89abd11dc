from __future__ import annotations

import pytest

from tests.workflows.helpers import ACTOR_ID, OTHER_OFFICER, actor, full_inputs, passing_facts
from workflows import (
    GUARD_MESSAGES,
    WORKFLOWS,
    GuardFailed,
    MissingInput,
    available_transitions,
    plan,
)

G = WORKFLOWS["grievance"]


def refused_by(guard: str, *args: object) -> None:
    with pytest.raises(GuardFailed) as caught:
        plan(*args)  # type: ignore[arg-type]
    assert caught.value.guard == guard
    assert caught.value.message == GUARD_MESSAGES[guard]


def test_appeal_outside_the_window_is_refused() -> None:
    t = G.transition("appeal")
    for state in ("resolution_proposed", "closed"):
        late = passing_facts(t, state, appeal_window_open=False)
        refused_by(
            "appeal_window_open", G, late, actor("complainant", id=None), "appeal", full_inputs()
        )
        ok = plan(
            G, passing_facts(t, state), actor("complainant", id=None), "appeal", full_inputs()
        )
        assert ok.to_state == "appealed"


def test_appeal_review_needs_a_different_officer() -> None:
    t = G.transition("revise_resolution")
    same = passing_facts(t, "appealed", resolved_by_id=ACTOR_ID)
    for name in ("revise_resolution", "uphold_resolution"):
        refused_by("different_officer", G, same, actor("officer"), name, full_inputs())
        refused_by("different_officer", G, same, actor("supervisor"), name, full_inputs())
        other = passing_facts(t, "appealed", resolved_by_id=OTHER_OFFICER)
        assert plan(G, other, actor("officer"), name, full_inputs()).from_state == "appealed"


def test_officer_who_is_not_the_assignee_is_refused() -> None:
    for name, state in [
        ("start_work", "assigned"),
        ("request_information", "in_progress"),
        ("propose_resolution", "in_progress"),
        ("propose_rejection", "in_progress"),
        ("refer", "in_progress"),
    ]:
        facts = passing_facts(G.transition(name), state, assignee_id=OTHER_OFFICER)
        refused_by(
            "actor_is_assignee_or_supervisor", G, facts, actor("officer"), name, full_inputs()
        )
        # A supervisor may step in on someone else's case.
        assert plan(G, facts, actor("supervisor"), name, full_inputs()).from_state == state


def test_work_needs_an_assignee() -> None:
    facts = passing_facts(G.transition("start_work"), "assigned", assignee_id=None)
    refused_by("has_assignee", G, facts, actor("supervisor"), "start_work", {})
    escalated = passing_facts(G.transition("deescalate"), "escalated", assignee_id=None)
    refused_by("has_assignee", G, escalated, actor("supervisor"), "deescalate", {})


def test_rejection_without_a_reason_is_refused() -> None:
    facts = passing_facts(G.transition("propose_rejection"), "in_progress")
    with pytest.raises(MissingInput) as caught:
        plan(G, facts, actor("officer"), "propose_rejection", {"reason": "  "})
    assert caught.value.field == "reason"


def test_auto_close_waits_for_its_time() -> None:
    t = G.transition("auto_close")
    early = passing_facts(t, "resolution_proposed", auto_close_due=False)
    refused_by("auto_close_due", G, early, actor("system", id=None), "auto_close", {})
    assert t not in available_transitions(G, early, actor("system", id=None))
    due = passing_facts(t, "resolution_proposed")
    assert plan(G, due, actor("system", id=None), "auto_close", {}).to_state == "closed"


@pytest.mark.parametrize("target", ["G7K2-QX", " g7k2-qx ", "1", 1])
def test_a_case_cannot_be_merged_into_itself(target: object) -> None:
    facts = passing_facts(G.transition("merge"), "in_progress")
    refused_by(
        "not_merged_into_itself",
        G,
        facts,
        actor("intake"),
        "merge",
        {"merged_into": target, "reason": "The same complaint"},
    )


def test_acknowledgement_happens_once() -> None:
    t = G.transition("acknowledge")
    done = passing_facts(t, "escalated", acknowledged=True)
    refused_by("not_acknowledged", G, done, actor("supervisor"), "acknowledge", {})
    fresh = passing_facts(G.transition("assign"), "escalated", acknowledged=False)
    refused_by("is_acknowledged", G, fresh, actor("supervisor"), "assign", full_inputs())


def test_sla_sweep_sees_only_its_own_moves() -> None:
    system = actor("system", id=None)
    facts = passing_facts(G.transition("escalate"), "in_progress")
    assert [t.name for t in available_transitions(G, facts, system)] == ["escalate"]
