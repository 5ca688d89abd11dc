"""Who is told what, on which channels: a table, kept pure so it is testable without the app.

A case notice names a template (what happened) and a target (whom it concerns). The table
maps the pair to the channels a message goes out on. Pairs that are deliberately silent are
listed too, so that a new workflow effect without a decision here is caught by a test.
"""

from __future__ import annotations

SMS, EMAIL, IN_APP, TELEGRAM = "sms", "email", "in_app", "telegram"
SENT_BY_JOB = frozenset({SMS, EMAIL, TELEGRAM})  # in-app messages are the row itself
# A complainant's message listed as SMS goes to her chat instead when she last wrote to us
# there (`notifications.outbox.door`): the same text, and SMS again if the chat is blocked.
CHAT_CHANNELS = frozenset({TELEGRAM})

# Complainants have no account: SMS only, and only reference + status (phones are shared).
# Staff get in-app messages; email too where a delay would hurt (assignment, deadlines).
RULES: dict[tuple[str, str], tuple[str, ...]] = {
    ("filed", "complainant"): (SMS,),
    # The other members of a collective complaint get the shared case's codes, each on
    # their own phone with their own one-time link.
    ("filed", "member"): (SMS,),
    ("acknowledged", "complainant"): (SMS,),
    ("information_requested", "complainant"): (SMS,),
    ("resolution_proposed", "complainant"): (SMS,),
    ("answered", "complainant"): (SMS,),
    ("closed", "complainant"): (SMS,),
    ("appeal_revised", "complainant"): (SMS,),
    ("appeal_upheld", "complainant"): (SMS,),
    ("referred", "complainant"): (SMS,),
    ("rejected", "complainant"): (SMS,),
    ("merged", "complainant"): (SMS,),
    ("withdrawn_for_you", "complainant"): (SMS,),
    ("secret_check", "complainant"): (SMS,),
    ("codes_by_sms", "complainant"): (SMS,),
    ("secret_reissued", "complainant"): (SMS,),
    ("officer_message", "complainant"): (SMS,),
    ("assigned", "assignee"): (IN_APP, EMAIL),
    ("information_provided", "assignee"): (IN_APP,),
    ("information_added", "assignee"): (IN_APP,),
    ("returned_to_officer", "assignee"): (IN_APP,),
    ("rejection_denied", "assignee"): (IN_APP,),
    ("sla_at_risk", "assignee"): (IN_APP, EMAIL),
    ("sla_breach", "supervisor"): (IN_APP, EMAIL),
    ("break_glass", "supervisor"): (IN_APP, EMAIL),
    ("secret_guessing", "supervisor"): (IN_APP, EMAIL),
    ("escalated", "supervisor"): (IN_APP, EMAIL),
    # Many of the two above for one person in one sweep: one e-mail (outbox.digested).
    ("sla_breach_many", "supervisor"): (EMAIL,),
    ("escalated_many", "supervisor"): (EMAIL,),
    ("appeal_lodged", "supervisor"): (IN_APP,),
    ("rejection_pending", "supervisor"): (IN_APP,),
    ("approval_requested", "supervisor"): (IN_APP,),
    ("approval_given", "user"): (IN_APP,),
    ("approval_refused", "user"): (IN_APP,),
    ("weekly_digest", "oversight"): (IN_APP, EMAIL),
    ("systemic_proposed", "supervisor"): (IN_APP, EMAIL),
    ("systemic_proposed", "oversight"): (IN_APP,),
    ("spike", "supervisor"): (IN_APP, EMAIL),
    ("spike", "oversight"): (IN_APP, EMAIL),
    ("systemic_answer", "complainant"): (SMS,),
}

# E-mails that a batch folds into one when it would send a person many of them.
DIGESTS: dict[str, str] = {"sla_breach": "sla_breach_many", "escalated": "escalated_many"}

# Sent to the phone on file even without consent to be contacted: she asked for them.
ASKED_FOR: frozenset[str] = frozenset({"secret_check", "secret_reissued", "codes_by_sms"})

# No message, on purpose: the complainant did this themselves and saw it on screen.
SILENT: frozenset[tuple[str, str]] = frozenset(
    {("appeal_received", "complainant"), ("withdrawn", "complainant")}
)

# Intake channels whose own reply already gives the complainant the reference and secret
# (a case texted in is answered by SMS at once): the "filed" SMS would say it twice.
FILED_ANSWERED_BY_REPLY: frozenset[str] = frozenset({"sms", "telegram"})

# Message parts each channel needs from the catalogue (notifications/messages.*.json).
PARTS: dict[str, tuple[str, ...]] = {
    SMS: ("sms",),
    TELEGRAM: ("sms",),
    EMAIL: ("title", "text"),
    IN_APP: ("title",),
}


def channels_for(template: str, target: str, case_channel: str = "") -> tuple[str, ...]:
    """The channels a notice goes out on; empty when nobody is to be told."""
    channels = RULES.get((template, target), ())
    if template == "filed" and case_channel in FILED_ANSWERED_BY_REPLY:
        channels = tuple(c for c in channels if c != SMS)
    return channels


def is_known(template: str, target: str) -> bool:
    return (template, target) in RULES or (template, target) in SILENT


def templates_for(channel: str) -> set[str]:
    return {template for (template, _t), chans in RULES.items() if channel in chans}
