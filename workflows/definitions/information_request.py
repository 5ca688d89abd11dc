"""Information request: someone asks a question and we answer it.

No acknowledgement step: the answer itself is due quickly (the app's SLA policy says how
quickly), so only the resolve clock runs, paused while we wait for a clarification.
"""

from __future__ import annotations

from workflows.i18n import N_
from workflows.model import State, Transition, Workflow, notify, set_timestamp

R = frozenset({"resolve"})
PUBLIC = frozenset({"complainant", "representative", "intake"})
ANSWERERS = frozenset({"intake", "officer", "supervisor"})

STATES = (
    State(
        "submitted",
        N_("Received"),
        N_("We have received your question. We will answer you by the date shown."),
        clocks=R,
    ),
    State(
        "awaiting_complainant",
        N_("Waiting for your answer"),
        N_("We need to understand your question better. Please answer us so we can continue."),
        paused=R,
    ),
    State(
        "answered",
        N_("Answered"),
        N_(
            "We have answered your question. Tell us if you need more help; "
            "if we do not hear from you, the request will close by itself."
        ),
    ),
    State(
        "closed",
        N_("Closed"),
        N_("Your question has been answered and the request is closed."),
        final=True,
    ),
    State(
        "withdrawn",
        N_("Withdrawn"),
        N_("The request was withdrawn at your request. You can ask again at any time."),
        final=True,
    ),
)

TRANSITIONS = (
    Transition(
        "request_information",
        N_("Ask for details"),
        frozenset({"submitted"}),
        "awaiting_complainant",
        ANSWERERS,
        inputs=("comment",),
        effects=(notify("complainant", "information_requested"),),
    ),
    Transition(
        "provide_information",
        N_("Send my answer"),
        frozenset({"awaiting_complainant"}),
        "submitted",
        PUBLIC,
        inputs=("answer",),
    ),
    Transition(
        "answer",
        N_("Send the answer"),
        # Also from awaiting_complainant: the officer may answer without the details.
        frozenset({"submitted", "awaiting_complainant"}),
        "answered",
        ANSWERERS,
        inputs=("answer",),
        effects=(
            notify("complainant", "answered"),
            set_timestamp("resolution_proposed_at"),
        ),
    ),
    Transition(
        "ask_follow_up",
        N_("I need more help"),
        frozenset({"answered"}),
        "submitted",
        PUBLIC,
        inputs=("comment",),
    ),
    Transition(
        "accept_answer",
        N_("My question is answered"),
        frozenset({"answered"}),
        "closed",
        PUBLIC,
        optional_inputs=("rating", "comment"),
        effects=(set_timestamp("closed_at"),),
    ),
    Transition(
        "auto_close",
        N_("Close automatically"),
        frozenset({"answered"}),
        "closed",
        frozenset({"system"}),
        guards=("auto_close_due",),
        effects=(set_timestamp("closed_at"),),
    ),
    Transition(
        "withdraw",
        N_("Withdraw the request"),
        frozenset({"submitted", "awaiting_complainant"}),
        "withdrawn",
        PUBLIC,
        optional_inputs=("reason",),
        effects=(notify("complainant", "withdrawn"), set_timestamp("closed_at")),
    ),
)

INFORMATION_REQUEST = Workflow(
    name="information_request",
    label=N_("Information request"),
    initial="submitted",
    states=STATES,
    transitions=TRANSITIONS,
)
