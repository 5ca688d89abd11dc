"""What a person is told when a service refuses: one table from a DomainError's code to a
message (a gettext msgid), used by every web page. A code without its own message falls
back to one for its HTTP status. Machine interfaces (the partner API, Open311, webhooks)
answer with their own documented error formats instead."""

from __future__ import annotations

from flask_babel import gettext

from grievance.errors import DomainError
from workflows.i18n import N_

MESSAGES = {
    # cases
    "unknown_officer": N_("Choose an active officer."),
    "unknown_case": N_("No case has that reference."),
    "bad_rating": N_("A rating is a number from 1 to 5."),
    "empty_comment": N_("Write something first."),
    "comment_too_long": N_("That text is too long."),
    # accounts
    "username_taken": N_("This username is already used."),
    "password_too_short": N_("Use at least 10 characters."),
    "wrong_password": N_("Your current password is not right."),
    "own_account": N_("You cannot do this to your own account: ask another administrator."),
    "own_roles": N_("You cannot take roles away from your own account."),
    "password_weak": N_(
        "This password is too easy to guess: it is common, or a word, name, date or pattern. "
        "Use a longer phrase only you know."
    ),
    "password_too_long": N_("Use at most 200 characters."),
    "role_out_of_scope": N_(
        "You can give only roles in the provinces you manage; only a nationwide administrator "
        "gives administrator or nationwide roles."
    ),
    "queue_out_of_scope": N_("Choose queues of the provinces you manage."),
    "name_required": N_("Give the person's full name."),
    "role_required": N_("Tick at least one role."),
    "unknown_role": N_("Choose roles from the list."),
    "unknown_sex": N_("Choose from the list."),
    "unknown_language": N_("Choose from the list."),
    "bad_capacity": N_("Give a number from 0 to 500."),
    "bad_username": N_("A username is one word of letters, digits, dots or dashes."),
    "already_inactive": N_("This account is already deactivated."),
    "already_active": N_("This account is already active."),
    "reason_too_long": N_("Keep the reason under 500 characters."),
    "unknown_queue": N_("Use queue codes from the queues page."),
    "too_many_accounts": N_("A sheet holds at most 200 new accounts."),
    # queues
    "restricted_needs_restricted_queue": N_(
        'Only a restricted queue may take restricted cases. Tick "Restricted queue".'
    ),
    "code_taken": N_("Another queue already has this code."),
    # a new secret for a complainant who lost hers
    "no_phone_on_file": N_("There is no phone number on file for this case."),
    "no_code_sent": N_(
        "Send a new code first: the last one was used, is too old, or was typed wrong too often."
    ),
    "wrong_code": N_("That is not the code we sent. Ask the caller to read it again."),
    "use_the_code": N_("This case has a phone number on file: send a code to it instead."),
    "not_enough_checks": N_("Tick at least two checks the caller passed and say how you checked."),
    # deadlines and closures
    "closure_dates": N_("The last day cannot be before the first day."),
    "closure_too_long": N_("A closure can last at most one year."),
    "reason_required": N_("Please give a reason."),
    "unknown_province": N_("Choose provinces from the list."),
    "closure_out_of_scope": N_(
        "You can add closures only for the provinces you manage, one or more of them."
    ),
    "bad_target": N_("Each target must be more than zero and at most one year."),
    "acknowledge_after_resolve": N_("Acknowledging cannot take longer than resolving."),
    "policy_exists": N_("That policy already exists: edit it instead."),
    "policy_replaced": N_("Someone changed this policy meanwhile. Please start again."),
    "same_priority": N_("The case already has that priority."),
    "no_sla_policy": N_("There is no deadline policy for that priority."),
    "case_closed": N_("This case is closed."),
    "not_allowed": N_("You may not change this case's priority."),
}
BY_STATUS = {
    403: N_("You do not have permission to see this page."),
    404: N_("This page does not exist."),
    409: N_("Someone else changed this at the same time. Please reload and try again."),
}
FALLBACK = N_("This action is not possible.")


def explain(error: DomainError, fallback: str = FALLBACK) -> str:
    """The message for `error` in the reader's language."""
    msgid = MESSAGES.get(error.code) or BY_STATUS.get(error.status) or fallback
    return gettext(msgid)
