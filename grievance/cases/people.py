"""Complainants as contacts: a number that said STOP gets no more SMS.

The opt-out is kept on every person using the number (a shared phone opts out for all of
them); the notifications relay reads it before each SMS. Services flush, never commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from grievance.cases.models import Person
from grievance.effects import ContactOptedOut, emit
from grievance.extensions import db
from grievance.types import utcnow


def persons_with_phone(phone_e164: str) -> list[Person]:
    return list(db.session.scalars(select(Person).where(Person.phone == phone_e164)))


def mark_sms_opt_out(phone_e164: str, at: datetime | None = None) -> int:
    """Record the opt-out on every person with this number; returns how many."""
    at = at or utcnow()
    persons = persons_with_phone(phone_e164)
    for person in persons:
        person.sms_opt_out_at = person.sms_opt_out_at or at
    db.session.flush()
    return len(persons)


def opt_out_sms(phone_e164: str, at: datetime | None = None) -> None:
    """The number asked for no more SMS: recorded here, and announced so that messages
    already waiting for it are cancelled too."""
    at = at or utcnow()
    mark_sms_opt_out(phone_e164, at)
    emit(ContactOptedOut("sms", phone_e164, at))


def opt_in_sms(phone_e164: str) -> int:
    """The number may get SMS again. Returns the persons updated."""
    changed = [p for p in persons_with_phone(phone_e164) if p.sms_opt_out_at is not None]
    for person in changed:
        person.sms_opt_out_at = None
    db.session.flush()
    return len(changed)
