"""Random sequences of transitions, comments and clock ticks through the real engine
and database, checking the invariants an auditor relies on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from grievance.cases import comments, transitions
from grievance.cases.events import first_broken
from grievance.cases.models import Case, CaseEvent
from grievance.extensions import db
from tests.factories import make_case, make_user
from workflows import ROLES, WORKFLOWS, WorkflowError, get_workflow

ROLE_SETS = [frozenset({r}) for r in sorted(ROLES)] + [frozenset({"officer", "supervisor"})]
INPUTS = {
    "reason": "because",
    "comment": "please send documents",
    "resolution": "paid",
    "answer": "here it is",
    "agency": "labour inspectorate",
    "rating": 4,
}


class CaseMachine(RuleBasedStateMachine):
    app: Flask

    def __init__(self) -> None:
        super().__init__()
        self.ctx = self.app.test_request_context()
        self.ctx.push()
        self.savepoint = db.session.begin_nested()
        self.officers = [make_user("officer"), make_user("officer", "supervisor")]
        self.case: Case = make_case(category_code=self.category).case
        self.workflow = get_workflow(self.case.workflow)
        self.now = self.case.created_at
        self.events = 1
        self.version = self.case.version

    category = "contributions"

    def teardown(self) -> None:
        self.savepoint.rollback()
        self.ctx.pop()

    @rule(
        name=st.sampled_from(sorted({t.name for wf in WORKFLOWS.values() for t in wf.transitions})),
        roles=st.sampled_from(ROLE_SETS),
        who=st.integers(0, 1),
        with_inputs=st.booleans(),
    )
    def transition(self, name: str, roles: frozenset[str], who: int, with_inputs: bool) -> None:
        before = self.case.state
        actor = transitions.Actor(
            id=self.officers[who].id if roles - {"complainant", "system"} else None, roles=roles
        )
        inputs: dict[str, object] = dict(INPUTS) if with_inputs else {}
        inputs["assignee_id"] = self.officers[who].id
        try:
            event = transitions.apply(self.case, name, actor, inputs, at=self.now)
        except WorkflowError:
            assert self.case.state == before
            return
        edge = (before, name, event.to_state)
        assert edge in {(a, t.name, b) for a, t, b in self.workflow.edges()}, edge
        self.events += 1

    @rule(public=st.booleans())
    def comment(self, public: bool) -> None:
        comments.add_comment(
            self.case,
            actor_id=self.officers[0].id,
            actor_role="officer",
            text="note",
            public=public,
        )
        self.events += 1

    @rule(hours=st.integers(1, 400))
    def tick(self, hours: int) -> None:
        self.now = self.now + timedelta(hours=hours)

    @invariant()
    def one_event_per_change_and_chain_verifies(self) -> None:
        db.session.flush()
        rows = list(
            db.session.scalars(
                db.select(CaseEvent).filter_by(case_id=self.case.id).order_by(CaseEvent.seq)
            )
        )
        # A pause or resume also writes a "clock" event beside its transition (SLA audit).
        changes = [r for r in rows if r.kind != "clock"]
        assert len(changes) == self.events and len(rows) == self.case.event_count
        assert first_broken(rows) is None

    @invariant()
    def final_states_have_their_timestamp(self) -> None:
        if self.workflow.is_final(self.case.state):
            assert self.case.closed_at is not None

    @invariant()
    def version_strictly_increases(self) -> None:
        assert self.case.version >= self.version
        if self.case.version == self.version:
            return
        assert self.case.version > self.version
        self.version = self.case.version


@pytest.mark.slow  # Hypothesis walks the whole workflow on the database
@pytest.mark.parametrize(
    ("category", "examples"), [("contributions", 25), ("information", 10), ("suggestion", 10)]
)
def test_engine_state_machine(app: Flask, category: str, examples: int) -> None:
    machine = type(f"Machine_{category}", (CaseMachine,), {"app": app, "category": category})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
