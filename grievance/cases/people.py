"""Complainants as contacts: an address that said STOP gets no more messages.

Opt-outs are kept by channel and address (`contact_opt_outs`), so a number that never filed
a case is remembered too, and a shared phone's STOP holds for everyone using it; the
notifications relay asks `opted_out` before each message. Services flush, never commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update

from grievance.cases.models import Case, ContactOptOut, Person
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


# One person, several doors: a chat that proved a phone number (Telegram's contact button,
# the sender's own number) is the same person as that number on SMS, with the same cases.


def link_chat(channel: str, address: str, phone: str) -> Person:
    """The chat `address` belongs to whoever holds `phone`: every person record with the
    number gets the chat (a new record when the number never filed). Called only with a
    number the channel vouches for."""
    found = persons_with_phone(phone)
    for person in db.session.scalars(select(Person).where(Person.chat_address == address)):
        if person.chat_channel == channel and person.phone != phone:
            person.chat_channel = person.chat_address = None  # the chat now proves another
    if not found:
        found = [Person(phone=phone, consent_to_contact=True)]
        db.session.add(found[0])
    for person in found:
        person.chat_channel, person.chat_address, person.last_channel = channel, address, channel
    db.session.flush()
    return found[-1]


def chat_phone(channel: str, address: str) -> str | None:
    """The phone number a chat proved, if it did."""
    return db.session.scalar(
        select(Person.phone)
        .where(
            Person.chat_channel == channel,
            Person.chat_address == address,
            Person.phone.is_not(None),
        )
        .order_by(Person.id.desc())
        .limit(1)
    )


def wrote_on(channel: str, phone: str | None, address: str | None = None) -> None:
    """She wrote to us on `channel`: our messages go back on it (the chat, else SMS)."""
    if phone:
        db.session.execute(update(Person).where(Person.phone == phone).values(last_channel=channel))
    elif address:
        db.session.execute(
            update(Person)
            .where(Person.chat_channel == channel, Person.chat_address == address)
            .values(last_channel=channel)
        )


def channels_of(person: Person) -> list[str]:
    """The channels a person uses, as officers see them: her cases' channels, SMS for a
    number on file, and a linked chat."""
    used: set[str] = set()
    if person.phone:
        used.add("sms")
        others = select(Case.channel).join(Person, Case.complainant_id == Person.id)
        used.update(db.session.scalars(others.where(Person.phone == person.phone).distinct()))
    else:
        used.update(
            db.session.scalars(select(Case.channel).where(Case.complainant_id == person.id))
        )
    if person.chat_channel:
        used.add(person.chat_channel)
    return sorted(used)
