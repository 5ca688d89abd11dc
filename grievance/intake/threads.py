"""Where a message that is not a command belongs: the case it answers, the case it names,
a choice put to the sender, or a new complaint. Never a silent new case for someone who is
waiting on one of ours.

In this order:
1. An answer to a menu we sent ("1", "2"... in Khmer or Latin digits) does what was chosen.
2. A message naming one of our references attaches to that case (flagged for the officer
   when the number is not the complainant's).
3. From the number of a complainant with one case waiting for her answer: the answer (the
   clock resumes, the officer is told).
4. From a number with open cases otherwise: a short menu, "1 = about case ABCD-...,
   2 = ... 3 = a new complaint"; the text waits (MENU_HOURS) for the choice.
5. Otherwise a new complaint.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select

from grievance.cases import events
from grievance.cases.models import Case, Person
from grievance.extensions import db
from grievance.intake.models import MessageMenu
from grievance.intake.uploads import Evidence
from grievance.keys import server_mac
from grievance.khmer import identifier_key
from grievance.security import normalize_reference
from grievance.tracking import services as tracking
from grievance.types import utcnow
from workflows import get_workflow

MENU_HOURS = 24
MENU_CASES = 3  # the newest open cases offered; older ones by reference or the hotline
AWAITING = "awaiting_complainant"
FILES_ONLY = "(files sent, without words)"  # an answer of photos or a voice note alone
_CHAR = r"[0-9A-Za-z\u17e0-\u17e9]"
# A reference as people type it: 4 + 4 characters, together or split by a space or dash.
_REFERENCE = re.compile(rf"(?<!{_CHAR})({_CHAR}{{4}})[ \-]?({_CHAR}{{4}})(?!{_CHAR})")


@dataclass(frozen=True)
class Placed:
    """What became of a message: `kind` answered | attached | menu | new."""

    kind: str
    case: Case | None = None
    menu: tuple[Case, ...] = ()
    text: str = ""  # the complaint to file, for `new`


def sender_key(channel: str, address: str) -> str:
    return server_mac("sender", f"{channel}:{address}").hex()


def open_cases_of(phone: str | None) -> list[Case]:
    """The sender's open cases, newest first (only when the channel vouches for the number)."""
    if not phone:
        return []
    final = [
        s.name for wf in ("grievance", "information_request", "suggestion")
        for s in get_workflow(wf).states if s.final
    ]  # fmt: skip
    query = (
        select(Case)
        .join(Person, Case.complainant_id == Person.id)
        .where(Person.phone == phone, Case.state.not_in(final))
        .order_by(Case.created_at.desc(), Case.id.desc())
        .limit(20)
    )
    return list(db.session.scalars(query))


def named_case(text: str) -> Case | None:
    """The case whose reference the message carries (any spacing, case or digits)."""
    for head, tail in _REFERENCE.findall(text):
        ref = normalize_reference(head + tail)
        if ref is not None:
            case = db.session.scalar(select(Case).where(Case.reference == ref))
            if case is not None:
                return case
    return None


def place(
    channel: str,
    address: str,
    phone: str | None,
    text: str,
    evidence: Callable[[], list[Evidence]] = list,
) -> Placed:
    """`evidence` gives the files sent with the message (fetched only when the message
    goes to a case: an answer's photo or voice note goes with the answer)."""
    now = utcnow()
    key = sender_key(channel, address)
    db.session.execute(delete(MessageMenu).where(MessageMenu.expires_at <= now))
    menu = db.session.scalar(
        select(MessageMenu)
        .where(MessageMenu.channel == channel, MessageMenu.sender_key == key)
        .order_by(MessageMenu.id.desc())
        .limit(1)
    )
    if menu is not None:
        chosen = _choice(text, len(menu.case_ids) + 1)
        if chosen is not None:
            return _chosen(menu, chosen, phone)
    named = named_case(text)
    if named is not None and not get_workflow(named.workflow).state(named.state).final:
        return _attach(named, text, phone, evidence, channel=channel)
    cases = open_cases_of(phone)
    waiting = [c for c in cases if c.state == AWAITING]
    if len(waiting) == 1:  # our question is what she is answering
        return _attach(waiting[0], text, phone, evidence, channel=channel)
    if not cases:
        return Placed("new", text=text)
    offered = tuple(cases[:MENU_CASES])
    db.session.add(
        MessageMenu(
            channel=channel,
            sender_key=key,
            text=text,
            case_ids=[c.id for c in offered],
            created_at=now,
            expires_at=now + timedelta(hours=MENU_HOURS),
        )
    )
    db.session.flush()
    return Placed("menu", menu=offered)


def _choice(text: str, options: int) -> int | None:
    digits = identifier_key(text)
    if digits.isdigit() and 1 <= int(digits) <= options:
        return int(digits)
    return None


def _chosen(menu: MessageMenu, chosen: int, phone: str | None) -> Placed:
    text, ids = menu.text, list(menu.case_ids)
    db.session.delete(menu)
    if chosen > len(ids):
        return Placed("new", text=text)
    case = db.session.get(Case, int(ids[chosen - 1]))
    if case is None or get_workflow(case.workflow).state(case.state).final:
        return Placed("new", text=text)
    return _attach(case, text, phone)


def _attach(
    case: Case,
    text: str,
    phone: str | None,
    evidence: Callable[[], list[Evidence]] = list,
    *,
    channel: str = "sms",
) -> Placed:
    """The message answers the case's question if it has one, else adds to it."""
    own = case.complainant is not None and phone is not None and case.complainant.phone == phone
    if own and case.state == AWAITING:
        files = evidence()
        tracking.take_step(
            case,
            "provide_information",
            {"answer": text or (FILES_ONLY if files else "")},
            expected_version=None,
            evidence=files,
            channel=channel,
        )
        return Placed("answered", case=case)
    if own:
        tracking.add_information(case, text, evidence(), channel=channel)
        return Placed("attached", case=case)
    # Someone else's number names the case: the officer sees it, flagged, and decides.
    events.record(
        case,
        "comment",
        actor_id=None,
        actor_role="system",
        data={"flag": "message_from_another_number", "text": text},
    )
    db.session.flush()
    return Placed("attached", case=case)
