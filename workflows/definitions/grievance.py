"""The default grievance (complaint) workflow, as described in DESIGN.md.

Decisions that the design left open:
- The resolve clock starts at filing (it runs in `submitted` next to the acknowledge clock),
  so a late acknowledgement does not push back the resolution deadline.
- `resolution_proposed` stops the resolve clock: the officer has answered and the next move
  is the complainant's. An appeal starts a fresh resolve clock.
- `referred`, `rejected`, `withdrawn`, `merged` and `closed` are final. Only `closed` can be
  left, by `appeal`: the appeal window (15 working days) outlasts auto-close (10), so a
  complainant whose case closed itself may still appeal. The app decides whether the window
  is open (see Facts.appeal_window_open).
- Rejection needs a supervisor: an officer proposes (-> `rejection_pending`), a supervisor
  approves or denies.
- A staff withdrawal and a merge hide a case from the desk, so they need a second person
  (`second_person`): the asker gives a reason, a supervisor other than the asker approves
  or refuses. The request is not a state: while it waits the case keeps its state, officer
  and deadlines (a refusal has nothing to undo, a case waiting for her answer stays
  paused), and the step is planned again, from whatever state the case has reached, when
  it is approved. The complainant is told by the step's own notice, once it takes effect.
- `escalated` can be entered from every open state (the SLA sweep climbs one level per
  breach, so `escalated -> escalated` is allowed). A supervisor ends it by assigning,
  returning the case to its officer, or acknowledging a case that never was.
"""

from __future__ import annotations

from workflows.i18n import N_
from workflows.model import (
    SAME,
    State,
    Transition,
    Workflow,
    approval,
    clear_timestamp,
    notify,
    set_timestamp,
)

R = frozenset({"resolve"})
PUBLIC = frozenset({"complainant", "representative", "intake"})  # the complainant's side
CASEWORK = frozenset({"officer", "supervisor"})
SUPERVISOR = frozenset({"supervisor"})
OWN_CASE = ("actor_is_assignee_or_supervisor",)

STATES = (
    State(
        "submitted",
        N_("Received"),
        N_("We have received your complaint. Someone will confirm it soon."),
        clocks=frozenset({"acknowledge", "resolve"}),
    ),
    State(
        "acknowledged",
        N_("Acknowledged"),
        N_("We have confirmed your complaint. It will soon be given to an officer."),
        clocks=R,
    ),
    State(
        "assigned",
        N_("Assigned to an officer"),
        N_("An officer is now responsible for your complaint and will start work on it soon."),
        clocks=R,
    ),
    State(
        "in_progress",
        N_("Being looked into"),
        N_("An officer is looking into your complaint. We will answer you by the date shown."),
        clocks=R,
    ),
    State(
        "awaiting_complainant",
        N_("Waiting for your answer"),
        N_("We need more information from you. Please answer our question so we can continue."),
        paused=R,
    ),
    State(
        "escalated",
        N_("Escalated"),
        N_("Your complaint has been sent to a senior officer, who will make sure it is handled."),
        clocks=R,
    ),
    State(
        "rejection_pending",
        N_("Being reviewed"),
        N_("A supervisor is checking whether we can deal with your complaint."),
        clocks=R,
    ),
    State(
        "resolution_proposed",
        N_("Answer given"),
        N_(
            "We have sent you our answer. Tell us if you accept it or want to appeal; "
            "if we do not hear from you, the case will close by itself."
        ),
    ),
    State(
        "appealed",
        N_("Appeal under review"),
        N_("You disagreed with our answer. A different officer is reviewing your complaint."),
        clocks=R,
    ),
    State(
        "closed",
        N_("Closed"),
        N_("Your complaint is closed. Thank you for telling us."),
        final=True,
    ),
    State(
        "referred",
        N_("Sent to another office"),
        N_(
            "Another office is responsible for this problem. We have sent your complaint "
            "to them and they will contact you."
        ),
        final=True,
    ),
    State(
        "rejected",
        N_("Not accepted"),
        N_("We cannot deal with this complaint. The reason is shown below."),
        final=True,
    ),
    State(
        "withdrawn",
        N_("Withdrawn"),
        N_("The complaint was withdrawn at your request. You can file a new one at any time."),
        final=True,
    ),
    State(
        "merged",
        N_("Joined with another case"),
        N_("The same problem is already being handled in another case. Follow that case."),
        final=True,
    ),
)

OPEN = frozenset(s.name for s in STATES if not s.final)

TRANSITIONS = (
    Transition(
        "acknowledge",
        N_("Acknowledge"),
        frozenset({"submitted", "escalated"}),
        "acknowledged",
        frozenset({"intake", "officer", "supervisor"}),
        guards=("not_acknowledged",),
        effects=(notify("complainant", "acknowledged"), set_timestamp("acknowledged_at")),
    ),
    Transition(
        "assign",
        N_("Assign"),
        frozenset({"acknowledged", "escalated"}),
        "assigned",
        frozenset({"supervisor", "system"}),  # system = automatic routing rules
        inputs=("assignee_id",),
        guards=("is_acknowledged",),
        effects=(notify("assignee", "assigned"),),
    ),
    Transition(
        "claim",
        N_("Take this case"),
        frozenset({"acknowledged"}),
        "assigned",
        frozenset({"officer"}),
    ),
    Transition(
        "reassign",
        N_("Reassign"),
        OPEN - {"submitted", "acknowledged"},
        SAME,
        SUPERVISOR,
        inputs=("reason", "assignee_id"),
        effects=(notify("assignee", "assigned"),),
    ),
    Transition(
        "start_work",
        N_("Start work"),
        frozenset({"assigned"}),
        "in_progress",
        CASEWORK,
        guards=("has_assignee", *OWN_CASE),
    ),
    Transition(
        "request_information",
        N_("Request information"),
        frozenset({"in_progress"}),
        "awaiting_complainant",
        CASEWORK,
        inputs=("comment",),
        guards=OWN_CASE,
        effects=(notify("complainant", "information_requested"),),
    ),
    Transition(
        "provide_information",
        N_("Send my answer"),
        frozenset({"awaiting_complainant"}),
        "in_progress",
        PUBLIC,
        inputs=("answer",),
        effects=(notify("assignee", "information_provided"),),
    ),
    Transition(
        "resume_work",
        N_("Continue without an answer"),
        frozenset({"awaiting_complainant"}),
        "in_progress",
        CASEWORK,
        inputs=("comment",),
        guards=OWN_CASE,
    ),
    Transition(
        "propose_resolution",
        N_("Propose a resolution"),
        frozenset({"in_progress"}),
        "resolution_proposed",
        CASEWORK,
        inputs=("resolution",),
        # Required for a forum's concern (grievance.cases.transitions): its public report
        # says what was done.
        optional_inputs=("public_outcome",),
        guards=("has_assignee", *OWN_CASE),
        effects=(
            notify("complainant", "resolution_proposed"),
            set_timestamp("resolution_proposed_at"),
        ),
    ),
    Transition(
        "accept_resolution",
        N_("Accept the answer"),
        frozenset({"resolution_proposed"}),
        "closed",
        PUBLIC,
        optional_inputs=("rating", "comment"),
        effects=(notify("complainant", "closed"), set_timestamp("closed_at")),
    ),
    Transition(
        "auto_close",
        N_("Close automatically"),
        frozenset({"resolution_proposed"}),
        "closed",
        frozenset({"system"}),
        guards=("auto_close_due",),
        effects=(notify("complainant", "closed"), set_timestamp("closed_at")),
    ),
    Transition(
        "appeal",
        N_("Appeal"),
        frozenset({"resolution_proposed", "closed"}),
        "appealed",
        PUBLIC,
        inputs=("reason",),
        guards=("appeal_window_open",),
        effects=(
            notify("complainant", "appeal_received"),
            notify("supervisor", "appeal_lodged"),
            clear_timestamp("closed_at"),
        ),
        reopens=True,
    ),
    Transition(
        "route_appeal",
        N_("Give the appeal to another officer"),
        frozenset({"appealed"}),
        SAME,
        frozenset({"system"}),  # at once, to an officer who did not give the answer
        inputs=("assignee_id",),
        effects=(notify("assignee", "assigned"),),
    ),
    Transition(
        "revise_resolution",
        N_("Give a new answer"),
        frozenset({"appealed"}),
        "resolution_proposed",
        CASEWORK,
        inputs=("resolution",),
        guards=(*OWN_CASE, "different_officer"),
        effects=(
            notify("complainant", "appeal_revised"),
            set_timestamp("resolution_proposed_at"),
        ),
    ),
    Transition(
        "uphold_resolution",
        N_("Keep the answer and close"),
        frozenset({"appealed"}),
        "closed",
        CASEWORK,
        inputs=("reason",),
        guards=(*OWN_CASE, "different_officer"),
        effects=(notify("complainant", "appeal_upheld"), set_timestamp("closed_at")),
    ),
    Transition(
        "escalate",
        N_("Escalate"),
        OPEN,
        "escalated",
        frozenset({"supervisor", "system"}),
        inputs=("reason",),
        effects=(notify("supervisor", "escalated"),),
    ),
    Transition(
        "deescalate",
        N_("Return to the officer"),
        frozenset({"escalated"}),
        "in_progress",
        SUPERVISOR,
        optional_inputs=("comment",),
        guards=("has_assignee",),
        effects=(notify("assignee", "returned_to_officer"),),
    ),
    Transition(
        "refer",
        N_("Refer to another agency"),
        frozenset({"acknowledged", "assigned", "in_progress", "awaiting_complainant", "escalated"}),
        "referred",
        CASEWORK,
        inputs=("agency",),
        optional_inputs=("comment",),
        guards=OWN_CASE,
        effects=(notify("complainant", "referred"), set_timestamp("closed_at")),
    ),
    Transition(
        "propose_rejection",
        N_("Propose to reject"),
        frozenset({"assigned", "in_progress"}),
        "rejection_pending",
        CASEWORK,
        inputs=("reason",),
        guards=OWN_CASE,
        effects=(notify("supervisor", "rejection_pending"), approval("supervisor")),
        needs_approval_by="supervisor",
    ),
    Transition(
        "approve_rejection",
        N_("Approve rejection"),
        frozenset({"rejection_pending"}),
        "rejected",
        SUPERVISOR,
        optional_inputs=("comment",),
        effects=(notify("complainant", "rejected"), set_timestamp("closed_at")),
    ),
    Transition(
        "deny_rejection",
        N_("Refuse rejection"),
        frozenset({"rejection_pending"}),
        "in_progress",
        SUPERVISOR,
        inputs=("comment",),
        effects=(notify("assignee", "rejection_denied"),),
    ),
    Transition(
        "withdraw",
        N_("Withdraw the complaint"),
        OPEN,
        "withdrawn",
        PUBLIC - {"intake"},  # she does it herself (or her representative): no message
        optional_inputs=("reason",),
        effects=(notify("complainant", "withdrawn"), set_timestamp("closed_at")),
    ),
    Transition(
        # Staff take a case out of the work only with a reason, and she is told by SMS,
        # so a case cannot quietly disappear from the desk.
        "withdraw_for_complainant",
        N_("Withdraw at the complainant's request"),
        OPEN,
        "withdrawn",
        frozenset({"intake", "supervisor"}),
        inputs=("reason",),
        effects=(notify("complainant", "withdrawn_for_you"), set_timestamp("closed_at")),
        second_person="supervisor",
    ),
    Transition(
        "merge",
        N_("Merge into another case"),
        OPEN - {"resolution_proposed", "appealed"},
        "merged",
        frozenset({"intake", "officer", "supervisor"}),
        inputs=("merged_into", "reason"),  # a case hidden behind another: say why
        guards=("not_merged_into_itself",),
        effects=(notify("complainant", "merged"), set_timestamp("closed_at")),
        second_person="supervisor",
    ),
)

GRIEVANCE = Workflow(
    name="grievance",
    label=N_("Complaint"),
    initial="submitted",
    states=STATES,
    transitions=TRANSITIONS,
)
