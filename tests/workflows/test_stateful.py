"""Random walks over the pure engine: whatever actors try, the case stays on the map."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from workflows import (
    GUARDS,
    WORKFLOWS,
    Actor,
    Facts,
    GuardFailed,
    MissingInput,
    NotAllowedHere,
    RoleNotPermitted,
    Workflow,
    WorkflowError,
    available_transitions,
    plan,
)
from workflows.model import INPUTS, ROLES

NAMES = sorted({t.name for wf in WORKFLOWS.values() for t in wf.transitions} | {"bogus"})
ids = st.sampled_from([None, 1, 2, 3])
actors = st.builds(
    Actor, id=ids, roles=st.frozensets(st.sampled_from(sorted(ROLES)), min_size=1, max_size=3)
)
input_maps = st.dictionaries(
    st.sampled_from(sorted(INPUTS)), st.sampled_from([None, "", " ", "x", "1", "G9AA-ZZ", 2])
)
fact_parts = st.fixed_dictionaries(
    {
        "case_id": st.sampled_from([None, 1]),
        "reference": st.sampled_from(["", "G9AA-ZZ", "G7K2-QX"]),
        "assignee_id": ids,
        "resolved_by_id": ids,
        "acknowledged": st.booleans(),
        "appeal_window_open": st.booleans(),
        "auto_close_due": st.booleans(),
    }
)


class EngineWalk(RuleBasedStateMachine):
    wf: Workflow
    state: str

    @initialize(name=st.sampled_from(sorted(WORKFLOWS)))
    def pick_workflow(self, name: str) -> None:
        self.wf = WORKFLOWS[name]
        self.state = self.wf.initial

    def facts(self, parts: dict[str, object]) -> Facts:
        return Facts(state=self.state, **parts)  # type: ignore[arg-type]

    def apply(self, facts: Facts, who: Actor, name: str, inputs: dict[str, object]) -> None:
        before = self.state
        step = plan(self.wf, facts, who, name, inputs)
        t = step.transition
        assert step.from_state == before
        assert before in t.sources and step.to_state == t.target_for(before)
        assert t.roles & who.roles
        assert all(GUARDS[g](facts, who, inputs) for g in t.guards)
        if self.wf.is_final(before):
            assert t.reopens
        self.state = step.to_state

    @rule(name=st.sampled_from(NAMES), who=actors, inputs=input_maps, parts=fact_parts)
    def attempt(
        self, name: str, who: Actor, inputs: dict[str, object], parts: dict[str, object]
    ) -> None:
        facts = self.facts(parts)
        try:
            self.apply(facts, who, name, inputs)
        except NotAllowedHere:
            assert (
                not self.wf.has_transition(name)
                or self.state not in self.wf.transition(name).sources
            )
        except RoleNotPermitted:
            assert not self.wf.transition(name).roles & who.roles
        except MissingInput as e:
            assert e.field in self.wf.transition(name).inputs
        except GuardFailed as e:
            assert not GUARDS[e.guard](facts, who, inputs)

    @rule(who=actors, parts=fact_parts, data=st.data())
    def take_an_offered_transition(
        self, who: Actor, parts: dict[str, object], data: st.DataObject
    ) -> None:
        facts = self.facts(parts)
        offered = available_transitions(self.wf, facts, who)
        if not offered:
            return
        t = data.draw(st.sampled_from(offered))
        # What the UI offers must go through once the form is filled in.
        inputs: dict[str, object] = {n: f"value {n}" for n in t.inputs}
        try:
            self.apply(facts, who, t.name, inputs)
        except WorkflowError as e:  # pragma: no cover - a failure is the finding
            raise AssertionError(f"offered {t.name} but plan refused: {e}") from e

    @invariant()
    def state_is_known(self) -> None:
        if hasattr(self, "wf"):
            assert self.wf.has_state(self.state)


EngineWalk.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestEngineWalk = EngineWalk.TestCase
