"""Vocabularies shared by models, forms and workflows. Labels are gettext msgids."""

from __future__ import annotations

from workflows.i18n import N_

KINDS = {
    "grievance": N_("Complaint"),
    "information_request": N_("Information request"),
    "suggestion": N_("Suggestion"),
}
CHANNELS = {
    "web": N_("Web form"),
    "hotline": N_("Hotline"),
    "sms": N_("SMS"),
    "forum": N_("Public forum"),
    "walk_in": N_("Walk-in"),
    "api": N_("Partner system"),
    "open311": N_("Open311"),
    "telegram": N_("Telegram"),
    # Not a way in for complaints: the parent of a cluster, opened by a supervisor.
    "systemic": N_("Systemic case"),
}
SYSTEMIC_CHANNEL = "systemic"
PRIORITIES = {
    "urgent": N_("Urgent"),
    "high": N_("High"),
    "normal": N_("Normal"),
    "low": N_("Low"),
}
CONFIDENTIALITY = {
    "normal": N_("Normal"),
    "confidential": N_("Confidential"),
    "restricted": N_("Restricted"),
}
SEXES = {
    "female": N_("Female"),
    "male": N_("Male"),
    "other": N_("Other"),
    "not_stated": N_("Not stated"),
}
AGE_BANDS = {
    "under_18": N_("Under 18"),
    "18_24": N_("18 to 24"),
    "25_34": N_("25 to 34"),
    "35_44": N_("35 to 44"),
    "45_59": N_("45 to 59"),
    "60_plus": N_("60 or over"),
    "not_stated": N_("Not stated"),
}
WORKER_TYPES = {
    "garment": N_("Garment, footwear or travel goods worker"),
    "formal_other": N_("Other formal-sector worker"),
    "informal": N_("Informal-economy worker"),
    "entertainment": N_("Entertainment worker"),
    "farmer": N_("Smallholder farmer"),
    "civil_servant": N_("Civil servant"),
    "dependant": N_("Family member of a worker"),
    "other": N_("Other"),
}
LANGUAGES = {"km": "ខ្មែរ", "en": "English"}
ROLES = {
    "representative": N_("Workers' representative"),
    "intake": N_("Intake officer"),
    "officer": N_("Case officer"),
    "supervisor": N_("Supervisor"),
    "oversight": N_("Oversight body"),
    "admin": N_("Administrator"),
}
# What an administrator did to a staff account (the admin audit log).
ADMIN_ACTIONS = {
    "create": N_("Created the account"),
    "edit": N_("Changed the account"),
    "deactivate": N_("Deactivated the account"),
    "activate": N_("Reactivated the account"),
    "reset_code": N_("Reset the second sign-in step"),
    "reset_password": N_("Issued a password set-up link"),
}
ORGANISATION_KINDS = {
    "union": N_("Trade union"),
    "association": N_("Association"),
    "ngo": N_("NGO"),
    "agency": N_("Government agency"),
}
FORUM_LEVELS = {
    "regional": N_("Regional forum"),
    "national": N_("National forum"),
    "community": N_("Community forum"),
}
CONCERNED_TYPES = {
    "employer": N_("Employer"),
    "health_facility": N_("Health facility"),
    "nssf": N_("NSSF office"),
    "other": N_("Other"),
}


def check_in(column: str, values: dict[str, str] | set[str] | tuple[str, ...]) -> str:
    """SQL for a CHECK constraint limiting a column to known values."""
    quoted = ", ".join(f"'{v}'" for v in sorted(values))
    return f"{column} IN ({quoted})"
