"""Complainants as contacts: an address that said STOP gets no more messages.

Opt-outs are kept by channel and address (`contact_opt_outs`), so a number that never filed
a case is remembered too, and a shared phone's STOP holds for everyone using it; the
notifications relay asks `opted_out` before each message. Services flush, never commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from grievance.cases.models import ContactOptOut, Person
from grievance.effects import ContactOptedOut, emit
from grievance.extensions import db, insert_unless_present
from grievance.types import utcnow


def persons_with_phone(phone_e164: str) -> list[Person]:
    return list(db.session.scalars(select(Person).where(Person.phone == phone_e164)))


def record_opt_out(channel: str, address: str, at: datetime | None = None) -> None:
    """Remember the opt-out (once: a second STOP changes nothing)."""
    db.session.execute(
        insert_unless_present(ContactOptOut)
        .values(channel=channel, address=address, created_at=at or utcnow())
        .on_conflict_do_nothing(index_elements=["channel", "address"])
    )


def opt_out(channel: str, address: str, at: datetime | None = None) -> None:
    """The address asked for no more messages: recorded here, and announced so that
    messages already waiting for it are cancelled too."""
    at = at or utcnow()
    record_opt_out(channel, address, at)
    emit(ContactOptedOut(channel, address, at))


def opt_in(channel: str, address: str) -> bool:
    """The address may get messages again (START, UNSTOP...). Whether it had opted out."""
    result = db.session.execute(
        delete(ContactOptOut).where(
            ContactOptOut.channel == channel, ContactOptOut.address == address
        )
    )
    return bool(getattr(result, "rowcount", 0))


def opted_out(channel: str, address: str | None) -> bool:
    if not address:
        return False
    return db.session.get(ContactOptOut, (channel, address)) is not None
