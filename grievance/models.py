"""Every model of the grievance app, importable from one place (Alembic, CLI, tests)."""

from grievance.auth.models import Organisation, User, UserRole
from grievance.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    Category,
    Person,
    Province,
    affected_workers,
)
from grievance.intake.models import Forum
from grievance.queues.models import Queue, queue_members
from grievance.sla.models import Closure, SlaPolicy

__all__ = [
    "Attachment",
    "Case",
    "CaseEvent",
    "Category",
    "Closure",
    "Forum",
    "Organisation",
    "Person",
    "Province",
    "Queue",
    "SlaPolicy",
    "User",
    "UserRole",
    "affected_workers",
    "queue_members",
]
