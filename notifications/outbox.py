"""Notices become outbox rows, in the transaction of the change that caused them.

Nothing is sent here. A row for SMS or email is written "queued" and its send job is held
by `grievance.jobs` until the transaction commits (dropped on rollback). In-app rows are
the message itself and are complete once committed.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select

from grievance import jobs
from grievance.auth.models import User, UserRole
from grievance.cases import people
from grievance.cases.models import Case, Person
from grievance.effects import Notice, Notices, StaffAlert
from grievance.extensions import db, insert_many, insert_one
from grievance.types import utcnow
from notifications import crypto, rules
from notifications.models import Notification

log = logging.getLogger(__name__)
# A queued row not yet claimed after this long is handed over again by the sweep
# (Redis was down or flushed). Re-sending the job is harmless: the claim is idempotent.
QUEUED_TIMEOUT = timedelta(minutes=5)
INSERT_BATCH = 1000  # rows per INSERT when a batch of notices is written
SEND_BATCH = 200  # rows per send job for such a batch
# A batch that would send one person more e-mails of one kind than this (the sweep after
# an outage: thousands of deadlines at once) sends her one e-mail that counts them and
# names the first DIGEST_NAMES instead; her in-app inbox still lists every case.
DIGEST_AFTER = 5
DIGEST_NAMES = 20


@dataclass(frozen=True)
class Recipient:
    key: str  # "p12" (person) or "u7" (staff user): part of the idempotency key
    language: str
    person_id: int | None = None
    user_id: int | None = None
    phone: str | None = None
    email: str | None = None
    chat: str | None = None  # a chat id on her chat channel (Telegram)

    def address(self, channel: str) -> str | None:
        if channel == rules.SMS:
            return self.phone
        if channel == rules.EMAIL:
            return self.email
        if channel in rules.CHAT_CHANNELS:
            return self.chat
        return None


def on_notice(notice: Notice) -> None:
    """The effects subscriber: one row per channel per recipient the rules name."""
    for row in rows_for(notice, {}):
        add_row(row)


def on_notices(batch: Notices) -> None:
    """The effects subscriber for a batch of notices (the SLA sweep's): the rows
    `on_notice` would write for each, in one INSERT per thousand rows, and their send
    jobs in batches of SEND_BATCH rows; the folded e-mails (`digested`) by one
    `relay.send_digests` job, which folds them again with those of other batches."""
    staff: dict[tuple[str, str | None], list[User]] = {}
    rows = digested([row for notice in batch.items for row in rows_for(notice, staff)])
    created = insert_rows(rows)
    folded = set(rules.DIGESTS.values())
    digests = [row_id for row_id, _channel, template in created if template in folded]
    sent_by_job = [
        row_id
        for row_id, channel, template in created
        if channel in rules.SENT_BY_JOB and template not in folded
    ]
    if sent_by_job:
        from notifications.relay import send_batch

        for first in range(0, len(sent_by_job), SEND_BATCH):
            jobs.enqueue(send_batch, *sent_by_job[first : first + SEND_BATCH])
    if digests:
        from notifications.relay import send_digests

        jobs.enqueue(send_digests, *digests)


def digested(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`rows` with each staff member's e-mails of one kind folded into one when there are
    more than DIGEST_AFTER of them (for templates with a digest: `rules.DIGESTS`)."""
    kept: list[dict[str, Any]] = []
    groups: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for row in rows:
        if row["channel"] == rules.EMAIL and row["user_id"] and row["template"] in rules.DIGESTS:
            groups.setdefault((row["user_id"], row["template"]), []).append(row)
        else:
            kept.append(row)
    for (_user, template), group in groups.items():
        kept.extend(group if len(group) <= DIGEST_AFTER else [_digest(template, group)])
    return kept


def _digest(template: str, group: list[dict[str, Any]]) -> dict[str, Any]:
    """One e-mail for a group of one person's e-mails of one template, keyed by the keys
    of the rows it stands for (the same batch again writes nothing)."""
    keys = hashlib.sha256("\n".join(row["idempotency_key"] for row in group).encode())
    # One case can pass two deadlines in one sweep (acknowledgement and answer): count cases.
    references = list(dict.fromkeys(str(row["context"]["reference"]) for row in group))
    return {
        **group[0],
        "idempotency_key": f"digest:{template}:{keys.hexdigest()[:32]}:u{group[0]['user_id']}",
        "template": rules.DIGESTS[template],
        "case_id": None,
        "context": digest_context(references),
    }


def digest_context(references: list[str]) -> dict[str, Any]:
    """What a folded e-mail says: how many cases, the first DIGEST_NAMES of them by
    reference; `cases` keeps them all, for folding it again with others (relay)."""
    return {
        "count": len(references),
        "references": ", ".join(references[:DIGEST_NAMES]),
        "list": "inbox",
        "cases": references,
    }


def rows_for(
    notice: Notice, staff: dict[tuple[str, str | None], list[User]]
) -> Iterator[dict[str, Any]]:
    """The outbox rows a case notice makes: one per channel per recipient the rules name
    (`staff` remembers who holds a role, across the notices of a batch)."""
    if not rules.is_known(notice.template, notice.target):
        log.warning("no notification rule for %s/%s", notice.template, notice.target)
        return
    case = db.session.get(Case, notice.case_id)
    channels = rules.channels_for(notice.template, notice.target, case.channel if case else "")
    if case is None or not channels:
        return
    context = {k: v for k, v in notice.context.items() if k != "secret"}
    context["reference"] = case.reference
    context["event"] = notice.event_seq  # the step's own words are read from it when sent
    secret = notice.context.get("secret")
    for recipient in recipients(notice, case, staff):
        for channel in channels:
            if channel == rules.SMS and recipient.person_id is not None:
                channel = door(_person(notice, case))
            key = f"case:{case.id}:event:{notice.event_seq}:{notice.template}"
            row = row_values(
                f"{key}:{channel}:{recipient.key}",
                channel,
                notice.template,
                recipient,
                context,
                case_id=case.id,
                secret=secret if channel != rules.EMAIL else None,
            )
            if row is not None:
                yield row


def on_staff_alert(alert: StaffAlert) -> None:
    """The effects subscriber for alerts about many cases: one row per channel per user of
    the roles named (for the alert's province), keyed so a repeated alert writes nothing."""
    seen: set[int] = set()
    for role in alert.roles:
        channels = rules.channels_for(alert.template, role)
        for user in users_with_role(role, alert.province_code):
            if user.id in seen:
                continue
            seen.add(user.id)
            recipient = user_recipient(user)
            for channel in channels:
                key = f"alert:{alert.key}:{alert.template}:{channel}:{recipient.key}"
                add(key, channel, alert.template, recipient, dict(alert.context))


def _person(notice: Notice, case: Case) -> Person | None:
    """The person a notice to a complainant or member concerns: the complainant, or a
    member listed on this very case (never anyone else's number)."""
    if notice.target == "member":
        return next((p for p in case.affected if p.id == notice.person_id), None)
    return case.complainant


def recipients(
    notice: Notice, case: Case, staff: dict[tuple[str, str | None], list[User]] | None = None
) -> Iterator[Recipient]:
    if notice.target in ("complainant", "member"):
        person = _person(notice, case)
        # Anonymous, or no consent to be contacted: nobody to tell (unless she asked).
        asked = notice.template in rules.ASKED_FOR
        reachable = person is not None and (person.phone or person.chat_address)
        if person is not None and reachable and (person.consent_to_contact or asked):
            yield person_recipient(person)
        return
    users: list[User | None] = []
    if notice.target == "assignee" and case.assignee_id:
        users = [db.session.get(User, case.assignee_id)]
    elif notice.target == "user" and notice.user_id:
        users = [db.session.get(User, notice.user_id)]
    elif notice.target in ("supervisor", "oversight"):
        found = (notice.target, case.province_code)
        if staff is None:
            users = list(users_with_role(*found))
        else:
            if found not in staff:
                staff[found] = users_with_role(*found)
            users = list(staff[found])
    for user in users:
        if user is not None and user.active:
            yield user_recipient(user)


def person_recipient(person: Person) -> Recipient:
    return Recipient(
        f"p{person.id}",
        person.language,
        person_id=person.id,
        phone=person.phone,
        chat=person.chat_address,
    )


def door(person: Person | None) -> str:
    """The channel a message to her goes on: the chat she last wrote to us on, unless she
    blocked it or said STOP there; else SMS. The one place this is decided."""
    if person is None or not person.chat_address or person.chat_channel not in rules.CHAT_CHANNELS:
        return rules.SMS
    if person.last_channel != person.chat_channel and person.phone:
        return rules.SMS
    if people.opted_out(person.chat_channel, person.chat_address):
        return rules.SMS
    return person.chat_channel


def user_recipient(user: User) -> Recipient:
    return Recipient(f"u{user.id}", user.language, user_id=user.id, email=user.email)


def users_with_role(role: str, province: str | None) -> list[User]:
    """Active users holding `role` nationwide or for `province` (any scope when None)."""
    query = (
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == role, User.active.is_(True))
        .order_by(User.id)
        .distinct()
    )
    if province:
        query = query.where(
            or_(UserRole.province_code.is_(None), UserRole.province_code == province)
        )
    return list(db.session.scalars(query))


def phone_opted_out(phone: str | None) -> bool:
    """STOP applies to the number: a shared phone opts out for everyone using it."""
    return people.opted_out(rules.SMS, phone)


def add(
    key: str,
    channel: str,
    template: str,
    recipient: Recipient,
    context: dict[str, Any],
    *,
    case_id: int | None = None,
    secret: str | None = None,
    at: datetime | None = None,
) -> int | None:
    """Write one outbox row unless its key exists (the same event twice is one message);
    the new row's id, or None. One statement: the key's unique index decides.

    A number that said STOP is not asked here: the relay asks just before sending (the
    one place that rule lives) and records the row as cancelled instead."""
    row = row_values(
        key, channel, template, recipient, context, case_id=case_id, secret=secret, at=at
    )
    return add_row(row) if row is not None else None


def row_values(
    key: str,
    channel: str,
    template: str,
    recipient: Recipient,
    context: dict[str, Any],
    *,
    case_id: int | None = None,
    secret: str | None = None,
    at: datetime | None = None,
) -> dict[str, Any] | None:
    """The outbox row for one message (None: no address to send it to)."""
    address = recipient.address(channel)
    if channel in rules.SENT_BY_JOB and not address:
        return None
    now = at or utcnow()
    values: dict[str, Any] = {
        "idempotency_key": key,
        "case_id": case_id,
        "channel": channel,
        "template": template,
        "language": recipient.language,
        "user_id": recipient.user_id,
        "person_id": recipient.person_id,
        "address": address,
        "context": dict(context),
        "attempts": 0,
        "created_at": now,
    }
    if channel == rules.IN_APP:
        values.update(status="sent", sent_at=now, next_attempt_at=None)
    else:
        values.update(status="queued", sent_at=None, next_attempt_at=now + QUEUED_TIMEOUT)
        if secret:
            values["context"]["secret_sealed"] = crypto.seal(secret)
    return values


def add_row(values: dict[str, Any]) -> int | None:
    """Insert one row from `row_values` unless its key exists; its send job leaves after
    the commit. The new row's id, or None."""
    row_id: int | None = insert_one(
        Notification.__table__, values, unless_present=["idempotency_key"], returning="id"
    )
    if row_id is not None and values["channel"] in rules.SENT_BY_JOB:
        from notifications.relay import send_notification

        jobs.enqueue(send_notification, row_id)
    return row_id


def insert_rows(rows: list[dict[str, Any]]) -> list[tuple[int, str, str]]:
    """Insert many rows from `row_values`, skipping keys that exist (or repeat), in one
    statement per INSERT_BATCH rows. The (id, channel, template) of each row inserted."""
    unique = list({row["idempotency_key"]: row for row in rows}.values())
    created: list[tuple[int, str, str]] = []
    for first in range(0, len(unique), INSERT_BATCH):
        inserted = insert_many(
            Notification.__table__,
            unique[first : first + INSERT_BATCH],
            unless_present=["idempotency_key"],
            returning=["id", "channel", "template"],
        )
        created.extend((int(row_id), str(channel), str(t)) for row_id, channel, t in inserted)
    return sorted(created)
