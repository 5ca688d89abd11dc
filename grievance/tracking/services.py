"""Complainant use cases behind the status page. Services flush; the boundary commits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime

from flask_babel import force_locale, gettext
from sqlalchemy import bindparam, select
from sqlalchemy.orm.exc import StaleDataError

from grievance import reference as rules
from grievance.cases import events, transitions
from grievance.cases.models import Case, CaseEvent
from grievance.effects import Notice, emit
from grievance.errors import Conflict, DomainError, NotFound
from grievance.extensions import db
from grievance.intake import uploads
from grievance.keys import server_key, server_mac
from grievance.security import normalize_reference, secret_matches
from grievance.text import clean_text
from grievance.tracking import guessing
from grievance.tracking.presenters import (
    ACTIONS,
    ADD_INFORMATION,
    EVENT_COLUMNS,
    WITH_FILES,
    PageEvent,
    can_add_information,
    can_rate,
)
from grievance.types import utcnow
from workflows.i18n import N_

MAX_TEXT = 5000
MAX_FILES = 3
VOICE_ANSWER = N_("My answer is in the voice note.")
# Compared against when no case has the reference, so both failures take the same time.
_NO_CASE = "0" * 64


# Built once: the lookup is the hot path of the page (see bench/track.py).
_cases = Case.__table__.c
_BY_REFERENCE = select(_cases.id, _cases.secret_hash).where(_cases.reference == bindparam("ref"))


def find_case(reference: str, secret: str) -> int:
    """The id of the case with this reference and secret. One answer for every failure:
    a wrong reference and a wrong secret must look the same from outside."""
    ref = normalize_reference(reference)
    row = db.session.execute(_BY_REFERENCE, {"ref": ref}).first() if ref else None
    matches = secret_matches(secret, row.secret_hash if row else _NO_CASE, server_key())
    if row is None or not matches:
        raise NotFound("no_case")
    return int(row.id)


@dataclass(frozen=True)
class Lookup:
    case_id: int | None  # the case, when reference and secret are right
    too_many: bool = False  # wrong, and this reference has had too many wrong tries


def look_up(reference: str, secret: str) -> Lookup:
    """Reference and secret typed on the lookup page. The right secret always opens the
    case; a wrong one is counted against the reference (see guessing.py)."""
    try:
        return Lookup(find_case(reference, secret))
    except NotFound:
        pass
    failure = guessing.record_failure(reference_key(reference))
    if failure.alert:
        ref = normalize_reference(reference)
        row = db.session.execute(_BY_REFERENCE, {"ref": ref}).first() if ref else None
        if row is not None:
            guessing.alert_staff(int(row.id))
    return Lookup(None, too_many=failure.too_many)


def reference_key(reference: str) -> str:
    """A rate-limit key for a typed reference that does not reveal it (Redis keys are
    readable by whoever runs Redis, and references are short enough to enumerate)."""
    canonical = normalize_reference(reference) or "".join(reference.upper().split())[:40]
    return "ref:" + server_mac("track_ref", canonical).hex()[:32]


# Built once (the status page reads it on every visit).
_CASE_WITH_RULES = select(Case, rules.stamp_column()).where(Case.id == bindparam("case_id"))


@dataclass(frozen=True, slots=True)
class PageCase:
    """What the status page reads of a case, and no more, as plain values: every column
    read costs its description and conversion on each visit, and building an ORM object
    costs more again, on the complainants' busiest page. For reading only; a step loads
    the `Case`."""

    id: int
    reference: str
    kind: str
    workflow: str
    state: str
    category_id: int
    province_code: str
    description: str
    assignee_id: int | None
    resolved_by_id: int | None
    ack_due_at: datetime | None
    resolve_due_at: datetime | None
    paused_at: datetime | None
    acknowledged_at: datetime | None
    resolution_proposed_at: datetime | None
    satisfaction: int | None
    version: int
    created_at: datetime

    @property
    def listen_first(self) -> bool:
        return not self.description


_CASE_COLUMNS = [Case.__table__.c[f.name] for f in fields(PageCase)]
_STAMP = len(_CASE_COLUMNS)  # the rules stamp's place in a row, between case and event
# The case, the rules stamp and the case's events, oldest first, in one statement: one row
# per event, each carrying the case.
_CASE_WITH_EVENTS = (
    select(*_CASE_COLUMNS, rules.stamp_column())
    .add_columns(*(c.label(f"event_{c.name}") for c in EVENT_COLUMNS))
    .select_from(Case.__table__.outerjoin(CaseEvent.__table__, CaseEvent.case_id == Case.id))
    .where(Case.id == bindparam("case_id"))
    .order_by(CaseEvent.seq)
)


def get_case(case_id: int) -> Case:
    """The case, with the rules in force read in the same statement (every page of the
    case needs them: its dates come from the calendar, its closures included)."""
    row = db.session.execute(_CASE_WITH_RULES, {"case_id": case_id}).first()
    if row is None:
        raise NotFound("no_case")
    rules.seen_stamp(row[1])
    return row[0]


def case_for_page(case_id: int) -> tuple[PageCase, list[PageEvent]]:
    """The case as its status page shows it and its events, oldest first, with the rules in
    force: one round trip for the complainants' busiest page."""
    rows = db.session.execute(_CASE_WITH_EVENTS, {"case_id": case_id}).all()
    if not rows:
        raise NotFound("no_case")
    first = rows[0]
    rules.seen_stamp(first[_STAMP])
    events = [PageEvent(*row[_STAMP + 1 :]) for row in rows if row[_STAMP + 1] is not None]
    return PageCase(*first[:_STAMP]), events


def take_step(
    case: Case,
    name: str,
    inputs: Mapping[str, object],
    *,
    expected_version: int | None,
    evidence: Sequence[uploads.Evidence] = (),
    channel: str = "web",
    at: datetime | None = None,
) -> CaseEvent:
    """One of the complainant's workflow steps, with the files sent along with an answer
    (`channel`: where they came from, for the officer's evidence panel)."""
    if name not in ACTIONS:
        raise NotFound("no_such_step", name)
    if len(evidence) > MAX_FILES or (evidence and name not in WITH_FILES):
        raise DomainError("too_many_files")
    cleaned = {k: clean_text(v)[:MAX_TEXT] if isinstance(v, str) else v for k, v in inputs.items()}
    if "answer" in cleaned and not cleaned["answer"] and any(e.is_voice for e in evidence):
        # An answer given in a voice note alone: the timeline says where to find it.
        with force_locale(case.language):
            cleaned["answer"] = gettext(VOICE_ANSWER)
    if name == ADD_INFORMATION:
        text = str(cleaned.get("text") or "")
        return add_information(case, text, evidence, channel=channel, at=at)
    event = transitions.apply(
        case, name, transitions.COMPLAINANT, cleaned, expected_version=expected_version, at=at
    )
    comment = cleaned.get("comment")
    if name.startswith("accept_") and case.satisfaction is not None and comment:
        case.satisfaction_comment = str(comment)
    if evidence:
        occasion = "answer" if name == "provide_information" else "information"
        sender = uploads.Sender("complainant", occasion, channel, event_seq=event.seq)
        uploads.store(case, list(evidence), sender)
    return event


def add_information(
    case: Case,
    text: str,
    evidence: Sequence[uploads.Evidence] = (),
    *,
    channel: str = "web",
    at: datetime | None = None,
) -> CaseEvent:
    """Something more, at any open stage (not only when we asked): the officer is told."""
    if not can_add_information(case):
        raise DomainError("case_not_open")
    if not text.strip() and not evidence:
        raise DomainError("empty_comment")
    data: dict[str, object] = {"text": text}
    if evidence:
        data["files"] = len(evidence)
    event = events.record(
        case, "comment", actor_id=None, actor_role="complainant", public=True, data=data, at=at
    )
    db.session.flush()
    if evidence:
        sender = uploads.Sender("complainant", "information", channel, event_seq=event.seq)
        uploads.store(case, list(evidence), sender)
    emit(Notice(case.id, event.seq, "information_added", "assignee"))
    return event


def rate(
    case: Case,
    rating: int,
    comment: str | None,
    *,
    expected_version: int | None,
    at: datetime | None = None,
) -> CaseEvent:
    """How satisfied the complainant is, once, after the case ended."""
    at = at or utcnow()
    if expected_version is not None and case.version != expected_version:
        raise transitions.StaleCase(case.reference)
    if not can_rate(case):
        raise Conflict("cannot_rate")
    if not 1 <= rating <= 5:
        raise DomainError("bad_rating", str(rating))
    case.satisfaction = rating
    case.satisfaction_comment = clean_text(comment)[:MAX_TEXT] or None
    case.updated_at = at
    event = events.record(
        case,
        "rating",
        actor_id=None,
        actor_role="complainant",
        public=True,
        data={"rating": rating},
        at=at,
    )
    reference = case.reference
    try:
        db.session.flush()
    except StaleDataError:
        raise transitions.StaleCase(reference) from None  # the boundary rolls back
    return event
