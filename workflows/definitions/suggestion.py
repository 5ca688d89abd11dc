"""Suggestion: an idea for improvement. We confirm it, consider it and say what we did."""

from __future__ import annotations

from workflows.i18n import N_
from workflows.model import State, Transition, Workflow, notify, set_timestamp

PUBLIC = frozenset({"complainant", "representative", "intake"})

STATES = (
    State(
        "received",
        N_("Received"),
        N_("We have received your suggestion. Someone will confirm it soon."),
        clocks=frozenset({"acknowledge"}),
    ),
    State(
        "acknowledged",
        N_("Being considered"),
        N_("Thank you. We are considering your suggestion and will tell you what we decide."),
    ),
    State(
        "closed",
        N_("Closed"),
        N_("We have considered your suggestion. Our reply is shown below."),
        final=True,
    ),
    State(
        "withdrawn",
        N_("Withdrawn"),
        N_("The suggestion was withdrawn at your request."),
        final=True,
    ),
)

TRANSITIONS = (
    Transition(
        "acknowledge",
        N_("Acknowledge"),
        frozenset({"received"}),
        "acknowledged",
        frozenset({"intake", "officer", "supervisor"}),
        effects=(notify("complainant", "acknowledged"), set_timestamp("acknowledged_at")),
    ),
    Transition(
        "close",
        N_("Reply and close"),
        frozenset({"acknowledged"}),
        "closed",
        frozenset({"officer", "supervisor"}),
        inputs=("resolution",),
        effects=(notify("complainant", "closed"), set_timestamp("closed_at")),
    ),
    Transition(
        "withdraw",
        N_("Withdraw the suggestion"),
        frozenset({"received", "acknowledged"}),
        "withdrawn",
        PUBLIC,
        optional_inputs=("reason",),
        effects=(set_timestamp("closed_at"),),
    ),
)

SUGGESTION = Workflow(
    name="suggestion",
    label=N_("Suggestion"),
    initial="received",
    states=STATES,
    transitions=TRANSITIONS,
)
