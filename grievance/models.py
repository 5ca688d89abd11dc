"""Every model of the grievance app, importable from one place (Alembic, CLI, tests)."""

from grievance.admin.models import AdminAudit
from grievance.auth.models import Organisation, User, UserRole
from grievance.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    Category,
    ContactOptOut,
    Person,
    Province,
    ReplyTemplate,
    affected_workers,
)
from grievance.intake.models import (
    Forum,
    ForumImport,
    IdempotencyRecord,
    PartnerCase,
    PartnerClient,
    ReceivedMessage,
)
from grievance.oversight.models import CaseExport, StatsSnapshot, WorkingDay
from grievance.queues.models import Queue, queue_members
from grievance.reference import ReferenceStamp
from grievance.search.models import CaseSearch
from grievance.sla.models import Closure, SlaMark, SlaPolicy
from grievance.systemic.models import (
    CaseEntity,
    Cluster,
    ClusterCase,
    RegistryChange,
    RegistryEntry,
    RegistryImport,
    RegistryName,
    SpikeAlert,
)
from grievance.tracking.models import SecretCheck, TrackingLink

__all__ = [
    "AdminAudit",
    "Attachment",
    "CaseEntity",
    "Cluster",
    "ClusterCase",
    "RegistryChange",
    "RegistryEntry",
    "RegistryImport",
    "RegistryName",
    "SpikeAlert",
    "Case",
    "CaseSearch",
    "CaseExport",
    "CaseEvent",
    "ContactOptOut",
    "Category",
    "Closure",
    "Forum",
    "ForumImport",
    "IdempotencyRecord",
    "ReceivedMessage",
    "Organisation",
    "PartnerCase",
    "PartnerClient",
    "Person",
    "Province",
    "ReplyTemplate",
    "Queue",
    "ReferenceStamp",
    "SlaMark",
    "SlaPolicy",
    "StatsSnapshot",
    "SecretCheck",
    "TrackingLink",
    "User",
    "UserRole",
    "WorkingDay",
    "affected_workers",
    "queue_members",
]
