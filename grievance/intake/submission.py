"""The case shape every intake channel hands over, and the one set of rules it must pass.

A channel adapter (web form, hotline, representative, forum concern or sheet row, SMS or
another message channel, the partner API, Open311) turns its input into a `Submission` and
files it with `grievance.intake.pipeline.file`, which checks it with `check` below. The
adapter shows the `Problem`s in its own format: messages beside form fields, JSON error
objects, GeoReport errors, an SMS reply, a sheet's error lines.

Pure: no Flask, no database. The vocabularies to check against (`Known`) are passed in, so
the sheet parser and tests can use the rules without an app.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from grievance.domain import CHANNELS, SEXES, SYSTEMIC_CHANNEL
from grievance.intake.checks import MAX_AFFECTED, MAX_NARRATIVE, MAX_SHORT, has_control_chars
from grievance.phones import to_e164

if TYPE_CHECKING:
    from grievance.intake.uploads import Evidence

CONSENT_METHODS = ("written", "verbal", "thumbprint")
LANGUAGES = ("km", "en")
MAX_PHONE = 40  # as typed, spaces and dashes included
MAX_EXTERNAL_ID = 100
MAX_EVIDENCE = 5  # files per submission (grievance.intake.uploads.MAX_FILES)


@dataclass
class Submission:
    """One complaint as a channel hands it over. Free text as typed; `check` strips it,
    turns empty optional text into None and the phone number into E.164."""

    description: str
    category: str  # category code
    province: str  # ISO 3166-2:KH code
    channel: str  # grievance.domain.CHANNELS
    # The complainant (for a representative: the member; for a forum: the speaker).
    name: str | None = None
    phone: str | None = None
    sex: str = "not_stated"
    language: str = "km"  # for our messages, and the case's language
    consent_to_contact: bool = False
    confidential: bool = False  # asked for; restricted categories are restricted anyway
    prefers_woman_officer: bool = False
    affected_count: int = 1  # workers affected (collective complaints)
    concerned_name: str | None = None  # employer, health facility or office named
    evidence: list[Evidence] = field(default_factory=list)  # already inspected files
    # Where it came from: the channel's own id (partner record, provider message id), how a
    # member agreed when a representative files, the forum it was raised at, the partner.
    external_id: str | None = None
    consent_how: str | None = None
    forum_id: int | None = None
    partner_id: int | None = None


@dataclass(frozen=True)
class Problem:
    """A rule a submission broke. `field` is a Submission field name; `code` one of
    required, too_long, control_chars, unknown, invalid, out_of_range, too_many."""

    field: str
    code: str
    limit: int | None = None  # the largest allowed length, count or number of files
    given: int | None = None  # what was given (a length, a count)


@dataclass(frozen=True)
class Known:
    """The codes a submission may use now."""

    categories: Collection[str]  # active category codes
    provinces: Collection[str]


# field -> (most characters, may span lines, required)
TEXT_RULES: dict[str, tuple[int, bool, bool]] = {
    "description": (MAX_NARRATIVE, True, True),
    "name": (MAX_SHORT, False, False),
    "phone": (MAX_PHONE, False, False),
    "concerned_name": (MAX_SHORT, False, False),
    "external_id": (MAX_EXTERNAL_ID, False, False),
}


def check(sub: Submission, known: Known) -> tuple[Submission, list[Problem]]:
    """The cleaned submission and what is wrong with it (nothing: it may be filed)."""
    problems: list[Problem] = []
    cleaned: dict[str, Any] = {}
    for name, (limit, multiline, required) in TEXT_RULES.items():
        cleaned[name] = _text(name, getattr(sub, name), limit, multiline, required, problems)
    if cleaned["description"] is None and any(item.is_voice for item in sub.evidence):
        # Told in a voice note alone: valid, and the case is "listen first" in the queues.
        problems.remove(Problem("description", "required"))
        cleaned["description"] = ""
    for name, codes in (("category", known.categories), ("province", known.provinces)):
        value = (getattr(sub, name) or "").strip()
        if value not in codes:
            problems.append(Problem(name, "unknown" if value else "required"))
        cleaned[name] = value
    if cleaned["phone"] is not None and not _has(problems, "phone"):
        cleaned["phone"] = to_e164(cleaned["phone"])
        if cleaned["phone"] is None:
            problems.append(Problem("phone", "invalid"))
    _choice(problems, "sex", sub.sex, SEXES)
    _choice(problems, "language", sub.language, LANGUAGES)
    # A systemic case is opened from its cluster (grievance.systemic), never submitted.
    _choice(problems, "channel", sub.channel, CHANNELS.keys() - {SYSTEMIC_CHANNEL})
    if sub.consent_how is not None:
        _choice(problems, "consent_how", sub.consent_how, CONSENT_METHODS)
    if not 1 <= sub.affected_count <= MAX_AFFECTED:
        problems.append(Problem("affected_count", "out_of_range", MAX_AFFECTED))
    if len(sub.evidence) > MAX_EVIDENCE:
        problems.append(Problem("evidence", "too_many", MAX_EVIDENCE, len(sub.evidence)))
    return replace(sub, **cleaned), problems


def _text(
    name: str,
    raw: str | None,
    limit: int,
    multiline: bool,
    required: bool,
    problems: list[Problem],
) -> str | None:
    # Stripped first: spaces and line breaks around the text are not part of it.
    value = (raw or "").strip()
    if not value:
        if required:
            problems.append(Problem(name, "required"))
        return None
    if len(value) > limit:
        problems.append(Problem(name, "too_long", limit, len(value)))
    elif has_control_chars(value, multiline):
        problems.append(Problem(name, "control_chars"))
    return value


def _choice(problems: list[Problem], name: str, value: object, allowed: Collection[str]) -> None:
    if value not in allowed:
        problems.append(Problem(name, "invalid"))


def _has(problems: list[Problem], name: str) -> bool:
    return any(p.field == name for p in problems)
