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
    # steps that need a second person (grievance.cases.approvals)
    "request_pending": N_(
        "A request on this case already waits for a supervisor: it must be decided first."
    ),
    "request_not_found": N_("That request no longer exists."),
    "confirm_required": N_("Tick the box to confirm you have read the reason."),
    "request_decided": N_("This request was already decided, or the case is closed."),
    "approver_is_asker": N_("You asked for this step: another supervisor must approve it."),
    "approver_not_supervisor": N_("Only a supervisor can approve or refuse this request."),
    "approver_out_of_scope": N_(
        "Only a supervisor of this case's province can approve or refuse this request."
    ),
    # who may hold a case (grievance.cases.eligibility)
    "anonymous_complainant": N_("The complainant filed anonymously: there is nobody to write to."),
    "not_your_case": N_("Only the officer of the case or a supervisor may do this."),
    "bad_direction": N_("Choose who called."),
    "unknown_purpose": N_("Choose what the template is used for."),
    "reply_incomplete": N_("Give a title and the text in both Khmer and English."),
    "unknown_reply": N_("That template no longer exists."),
    "holder_inactive": N_("This account is not active."),
    "holder_not_officer": N_("Only case officers can hold a case."),
    "holder_away": N_("This officer is marked away and cannot be given cases now."),
    "holder_out_of_province": N_("This officer does not work in the province of this case."),
    "holder_not_designated": N_(
        "This is a restricted case: only officers designated for restricted cases of its "
        "province may hold it. Opening it with a reason does not change that."
    ),
    "holder_not_woman": N_("The complainant asked for a woman officer."),
    "holder_decided_appeal": N_(
        "This officer gave the answer under appeal: another officer must review it."
    ),
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
    # organisations and representatives
    "organisation_name_required": N_("Please give the organisation's name."),
    "organisation_exists": N_("An organisation with this name already exists."),
    "unknown_account": N_("There is no active account with this username."),
    "not_a_representative": N_("This account does not have the representative role."),
    "agreement_required": N_("You can do this only when the member has agreed."),
    "case_not_open": N_("This case is no longer open."),
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
    # registries and systemic cases
    "unknown_entry": N_("No active employer or facility has that code."),
    "cluster_decided": N_("Someone already decided on this proposal."),
    "description_required": N_("Say what the systemic case is about."),
    "not_your_province": N_("This proposal concerns a province you do not supervise."),
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
