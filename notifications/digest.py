"""The weekly digest for oversight users: counts only, never anything about a person."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from grievance import jobs
from grievance.cases.models import Case
from grievance.extensions import db
from grievance.types import utcnow
from notifications import rules
from notifications.models import Notification
from notifications.outbox import add, user_recipient, users_with_role

TEMPLATE = "weekly_digest"


def counts(now: datetime) -> dict[str, Any]:
    since = now - timedelta(days=7)

    def n(*where: Any) -> int:
        return int(db.session.scalar(select(func.count(Case.id)).where(*where)) or 0)

    return {
        "filed": n(Case.created_at >= since, Case.created_at < now),
        "closed": n(Case.closed_at >= since, Case.closed_at < now),
        "open": n(Case.closed_at.is_(None)),
        "overdue": n(Case.closed_at.is_(None), Case.overdue.is_(True)),
    }


def weekly_digest(now: datetime | None = None) -> int:
    """Write this ISO week's digest for every oversight user (once a week, however often
    it runs: on every scheduler tick, it costs one lookup once the week's rows exist).
    Returns the number of rows written. The caller commits."""
    now = now or utcnow()
    year, week, _day = now.isocalendar()
    label = f"{year}-W{week:02d}"
    wanted = {
        f"digest:{label}:{channel}:{recipient.key}": (channel, recipient)
        for recipient in map(user_recipient, users_with_role("oversight", None))
        for channel in rules.channels_for(TEMPLATE, "oversight")
    }
    done = set(
        db.session.scalars(
            select(Notification.idempotency_key).where(Notification.idempotency_key.in_(wanted))
        )
    )
    missing = {key: target for key, target in wanted.items() if key not in done}
    if not missing:
        return 0
    context = {"week": label, **counts(now)}
    written = 0
    for key, (channel, recipient) in missing.items():
        if add(key, channel, TEMPLATE, recipient, context, at=now) is not None:
            written += 1
    return written


@jobs.job(queue="notifications")
def weekly_digest_job() -> int:
    """On every scheduler tick; writes only once a week."""
    return weekly_digest()
