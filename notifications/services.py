"""Notification use cases other features and the views call. They flush, never commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update

from grievance import jobs
from grievance.cases import people
from grievance.effects import ContactOptedOut
from grievance.errors import Conflict, NotFound
from grievance.extensions import db
from grievance.types import utcnow
from notifications import rules
from notifications.models import Notification
from notifications.outbox import QUEUED_TIMEOUT

OPEN = ("pending", "queued")


def opt_out(phone_e164: str, at: datetime | None = None) -> int:
    """The gateway says the number opted out: record it and cancel the SMS not yet sent
    to it. Returns how many messages were cancelled."""
    people.record_opt_out(rules.SMS, phone_e164, at)
    return cancel_waiting(rules.SMS, phone_e164)


def opt_in(phone_e164: str) -> bool:
    """The number replied START: SMS may be sent to it again."""
    return people.opt_in(rules.SMS, phone_e164)


def cancel_waiting(channel: str, address: str) -> int:
    """Cancel the messages not yet sent to this address, and drop the secret they carry."""
    rows = db.session.scalars(
        select(Notification).where(
            Notification.channel == channel,
            Notification.address == address,
            Notification.status.in_(OPEN),
        )
    )
    cancelled = 0
    for row in rows:
        row.status, row.last_error, row.next_attempt_at = "cancelled", "opted_out", None
        row.context = {k: v for k, v in row.context.items() if k != "secret_sealed"}
        cancelled += 1
    db.session.flush()
    return cancelled


def on_opted_out(signal: ContactOptedOut) -> None:
    """Subscribed in create_app: grievance recorded an opt-out (an SMS STOP)."""
    cancel_waiting(signal.channel, signal.address)


def retry(notification_id: int) -> Notification:
    """An admin sends a failed message again, with a fresh schedule of attempts."""
    row = db.session.get(Notification, notification_id)
    if row is None or row.channel not in rules.SENT_BY_JOB:
        raise NotFound("notification_not_found")
    if row.status != "failed":
        raise Conflict("notification_not_failed")
    row.status, row.attempts, row.claimed_at = "queued", 0, None
    row.next_attempt_at = utcnow() + QUEUED_TIMEOUT
    db.session.flush()
    from notifications.relay import send_notification

    jobs.enqueue(send_notification, row.id)
    return row


DELIVERED = {"delivered", "read"}
UNDELIVERED = {"failed", "undelivered"}


def record_receipt(provider_id: str, status: str, error_code: str = "") -> bool:
    """A delivery receipt from the gateway. Returns False when the id is not ours."""
    row = db.session.scalar(select(Notification).where(Notification.provider_id == provider_id))
    if row is None:
        return False
    if row.status == "delivered":
        return True  # receipts can arrive out of order; delivered is final
    if status in DELIVERED:
        row.status, row.delivered_at = "delivered", utcnow()
    elif status in UNDELIVERED and row.status == "sent":
        row.status = "failed"
        row.last_error = f"carrier {status}" + (f" code {error_code}" if error_code else "")
    db.session.flush()
    return True


# Staff notifications by what they ask of the reader; the list is filtered by these.
GROUPS: dict[str, tuple[str, ...]] = {
    "work": (
        "assigned",
        "returned_to_officer",
        "rejection_denied",
        "approval_given",
        "approval_refused",
    ),
    "complainants": ("information_provided", "information_added"),
    "decisions": ("appeal_lodged", "rejection_pending", "approval_requested"),
    "deadlines": ("sla_at_risk", "sla_breach", "escalated"),
    "security": ("break_glass", "secret_guessing"),
    "reports": ("weekly_digest",),
}
# Shown as one line in the full list (many a day, each alike): the deadline notices.
DIGESTED = ("deadlines",)


def _mine(user_id: int, group: str | None = None, unread: bool = False) -> list[Any]:
    where = [Notification.user_id == user_id, Notification.channel == rules.IN_APP]
    if group in GROUPS:
        where.append(Notification.template.in_(GROUPS[group]))
    elif group == "":  # the full list: everything but the digested groups
        digested = [t for g in DIGESTED for t in GROUPS[g]]
        where.append(Notification.template.not_in(digested))
    if unread:
        where.append(Notification.read_at.is_(None))
    return where


def inbox(
    user_id: int, limit: int = 100, *, group: str | None = None, unread: bool = False
) -> list[Notification]:
    """The user's in-app notifications, newest first; `group` "" leaves out the digested
    groups (their counts stand in for them), a group's name keeps only that group."""
    query = (
        select(Notification)
        .where(*_mine(user_id, group, unread))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def counts_by_group(user_id: int) -> dict[str, tuple[int, int]]:
    """{group: (all, unread)} of the user's in-app notifications, in one query."""
    group_of = {t: g for g, templates in GROUPS.items() for t in templates}
    rows = db.session.execute(
        select(
            Notification.template,
            func.count(),
            func.count(Notification.id).filter(Notification.read_at.is_(None)),
        )
        .where(*_mine(user_id))
        .group_by(Notification.template)
    )
    found: dict[str, tuple[int, int]] = {}
    for template, total, unread in rows:
        group = group_of.get(template, "other")
        before = found.get(group, (0, 0))
        found[group] = (before[0] + int(total), before[1] + int(unread))
    return found


def unread_count(user_id: int) -> int:
    query = select(func.count(Notification.id)).where(
        Notification.user_id == user_id,
        Notification.channel == rules.IN_APP,
        Notification.read_at.is_(None),
    )
    return int(db.session.scalar(query) or 0)


def mark_read(user_id: int, notification_id: int | None = None, group: str | None = None) -> int:
    """Mark one of the user's own in-app notifications read, or those of a group, or all."""
    query = update(Notification).where(
        Notification.user_id == user_id,
        Notification.channel == rules.IN_APP,
        Notification.read_at.is_(None),
    )
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    elif group in GROUPS:
        query = query.where(Notification.template.in_(GROUPS[group]))
    result = db.session.execute(
        query.values(read_at=utcnow()).execution_options(synchronize_session="fetch")
    )
    return cast(CursorResult[Any], result).rowcount


def failed(limit: int = 200) -> list[Notification]:
    query = (
        select(Notification)
        .where(Notification.status == "failed")
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))
