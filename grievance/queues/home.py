"""What the staff home shows an officer or a supervisor: her open cases, those due today,
those overdue, what she may take now, and (supervisors) what waits in her inbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select

from grievance.auth.models import User
from grievance.cases.models import Case
from grievance.extensions import db
from grievance.queues import assignment
from grievance.queues.inbox import Inbox, inbox
from grievance.queues.workspace import overdue_clause

ZONE = ZoneInfo("Asia/Phnom_Penh")  # the service's working day


@dataclass(frozen=True)
class Home:
    open: int
    due_today: int
    overdue: int
    claimable: int | None  # officers: cases she may take from her queues now
    inbox: Inbox | None  # supervisors


def _today(now: datetime) -> tuple[datetime, datetime]:
    local = now.astimezone(ZONE).date()
    start = datetime.combine(local, time.min, ZONE)
    return start, start + timedelta(days=1)


def home(user: User, now: datetime) -> Home:
    start, end = _today(now)
    due_today = and_(Case.resolve_due_at >= start, Case.resolve_due_at < end)
    row = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((due_today, 1), else_=0)), 0),
            func.coalesce(func.sum(case((overdue_clause(now), 1), else_=0)), 0),
        ).where(Case.assignee_id == user.id, Case.closed_at.is_(None))
    ).one()
    claimable = None
    if user.has_role("officer"):
        queues = assignment.member_queue_ids(user)
        ids = assignment.waiting_for(user, queues).limit(100).subquery() if queues else None
        claimable = (
            int(db.session.scalar(select(func.count()).select_from(ids)) or 0)
            if ids is not None
            else 0
        )
    return Home(
        open=int(row[0]),
        due_today=int(row[1]),
        overdue=int(row[2]),
        claimable=claimable,
        inbox=inbox(user, now) if user.has_role("supervisor") else None,
    )
