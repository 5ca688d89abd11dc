"""Systemic cases: a supervisor opens one for a proposed cluster (a parent case with its
own officer, deadlines and answer) or dismisses the proposal; closing the parent tells
every linked complainant who agreed to be contacted, one message each, through the outbox."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import select

from grievance.auth.models import User
from grievance.cases import events
from grievance.cases.models import Case
from grievance.cases.services import NewCase, file_case
from grievance.effects import Notice, emit
from grievance.errors import Conflict, DomainError, Forbidden, NotFound
from grievance.extensions import db
from grievance.systemic.clusters import PARENT_CHANNEL, linked_count
from grievance.systemic.models import CaseEntity, Cluster, ClusterCase
from grievance.types import utcnow

# A parent's closing notices (the workflow's notices to its complainant, who has none):
# each is the moment its answer goes to every linked complainant.
CLOSING = frozenset({"closed", "appeal_upheld"})


def get_cluster(cluster_id: int) -> Cluster:
    cluster = db.session.get(Cluster, cluster_id)
    if cluster is None:
        raise NotFound("cluster_not_found")
    return cluster


def may_decide(user: User, cluster: Cluster) -> bool:
    province = cluster.entry.province_code
    scopes = user.provinces_for("supervisor")
    return None in scopes or (province is not None and province in scopes)


def _province(cluster: Cluster) -> str:
    if cluster.entry.province_code:
        return cluster.entry.province_code
    query = (
        select(Case.province_code)
        .join(ClusterCase, ClusterCase.case_id == Case.id)
        .where(ClusterCase.cluster_id == cluster.id)
    )
    return Counter(db.session.scalars(query)).most_common(1)[0][0]


def open_systemic(
    cluster: Cluster, supervisor: User, description: str, at: datetime | None = None
) -> Case:
    """The parent case for a proposed cluster, filed by the supervisor, about its entry."""
    if not may_decide(supervisor, cluster):
        raise Forbidden("not_your_province")
    if cluster.state != "proposed":
        raise Conflict("cluster_decided")
    description = description.strip()
    if not description:
        raise DomainError("description_required")
    at = at or utcnow()
    entry = cluster.entry
    filed = file_case(
        NewCase(
            category_code=cluster.category.code,
            province_code=_province(cluster),
            description=description,
            channel=PARENT_CHANNEL,
            complainant=None,
            concerned_type=entry.kind,
            concerned_name=entry.name_km or entry.name_latin,
            affected_count=max(1, linked_count(cluster)),
        ),
        actor_id=supervisor.id,
        actor_role="supervisor",
        at=at,
    )
    parent = filed.case
    db.session.add(
        CaseEntity(
            case_id=parent.id,
            entry_id=entry.id,
            score=100,
            confirmed=True,
            confirmed_by_id=supervisor.id,
            updated_at=at,
        )
    )
    cluster.state, cluster.parent_case_id = "opened", parent.id
    cluster.decided_by_id, cluster.decided_at = supervisor.id, at
    db.session.flush()
    return parent


def dismiss(cluster: Cluster, supervisor: User, at: datetime | None = None) -> None:
    """Not a systemic problem: the proposal goes, and its complaints stay in it (so the
    sweep does not propose them again); new complaints may make a new proposal."""
    if not may_decide(supervisor, cluster):
        raise Forbidden("not_your_province")
    if cluster.state != "proposed":
        raise Conflict("cluster_decided")
    cluster.state, cluster.decided_by_id = "dismissed", supervisor.id
    cluster.decided_at = at or utcnow()
    db.session.flush()


def linked_cases(cluster: Cluster) -> list[Case]:
    query = (
        select(Case)
        .join(ClusterCase, ClusterCase.case_id == Case.id)
        .where(ClusterCase.cluster_id == cluster.id)
        .order_by(Case.id)
    )
    return list(db.session.scalars(query))


def on_notice(notice: Notice) -> None:
    """Subscribed in init_app: a parent's closing answers every linked complaint."""
    if notice.target != "complainant" or notice.template not in CLOSING:
        return
    cluster = db.session.scalar(select(Cluster).where(Cluster.parent_case_id == notice.case_id))
    if cluster is not None and cluster.state == "opened":
        answer_linked(cluster)


def answer_linked(cluster: Cluster, at: datetime | None = None) -> int:
    """The parent's answer on each linked case's timeline (public: she reads it on her
    status page), and one notice each; the outbox asks consent and the relay opt-outs."""
    at = at or utcnow()
    parent = db.session.get(Case, cluster.parent_case_id)
    text = (parent.resolution if parent else None) or ""
    told = 0
    for case in linked_cases(cluster):
        event = events.record(
            case,
            "systemic_answer",
            actor_id=None,
            actor_role="system",
            public=True,
            data={"parent": parent.reference if parent else None, "text": text},
            at=at,
        )
        db.session.flush()
        emit(Notice(case.id, event.seq, "systemic_answer", "complainant"))
        told += 1
    cluster.state = "closed"
    db.session.flush()
    return told
