"""Clusters: K or more open complaints about one employer or facility and category within
a window become a proposed systemic case, alerted once to supervisors and oversight. A
complaint about the same entry and category joins a live cluster without a new alert.

The sweep is level-triggered (every scheduler tick; a missed or doubled tick is harmless):
each run links what is unlinked and proposes what has reached K.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Select, func, select

from grievance import jobs
from grievance.cases.models import Case
from grievance.domain import SYSTEMIC_CHANNEL
from grievance.effects import StaffAlert, emit
from grievance.extensions import db
from grievance.systemic.models import CaseEntity, Cluster, ClusterCase
from grievance.types import utcnow

LIVE = ("proposed", "opened")
# The parent a supervisor opens has a channel of its own: no complainant brought it in, and
# figures by channel tell it apart from the complaints it answers.
PARENT_CHANNEL = SYSTEMIC_CHANNEL


def parents() -> Select[tuple[int | None]]:
    """The ids of systemic (parent) cases: never counted as complaints themselves."""
    return select(Cluster.parent_case_id).where(Cluster.parent_case_id.is_not(None))


def settings() -> tuple[int, timedelta]:
    config = current_app.config["SAMLENG"]
    return max(2, int(config.SYSTEMIC_CLUSTER_SIZE)), timedelta(days=config.SYSTEMIC_WINDOW_DAYS)


def live_cluster(entry_id: int, category_id: int) -> Cluster | None:
    query = select(Cluster).where(
        Cluster.entry_id == entry_id, Cluster.category_id == category_id, Cluster.state.in_(LIVE)
    )
    return db.session.scalar(query.order_by(Cluster.id.desc()).limit(1))


def cluster_of(case: Case) -> Cluster | None:
    link = db.session.get(ClusterCase, case.id)
    return db.session.get(Cluster, link.cluster_id) if link else None


def parent_cluster(case: Case) -> Cluster | None:
    return db.session.scalar(select(Cluster).where(Cluster.parent_case_id == case.id))


def join_live(case: Case, entry_id: int, at: datetime | None = None) -> Cluster | None:
    """Put the case in the live cluster of its entry and category, if there is one (and
    out of a cluster about another entry, after an officer's correction)."""
    if parent_cluster(case) is not None:
        return None
    link = db.session.get(ClusterCase, case.id)
    if link is not None:
        current = db.session.get(Cluster, link.cluster_id)
        if current and (current.entry_id, current.category_id) == (entry_id, case.category_id):
            return current
        db.session.delete(link)
        db.session.flush()
    live = live_cluster(entry_id, case.category_id)
    if live is not None:
        db.session.add(ClusterCase(case_id=case.id, cluster_id=live.id, linked_at=at or utcnow()))
        db.session.flush()
    return live


def _unlinked(since: datetime) -> list[tuple[int, int, int]]:
    """(entry, category, case) of open complaints in the window in no cluster yet."""
    query = (
        select(CaseEntity.entry_id, Case.category_id, Case.id)
        .join(Case, Case.id == CaseEntity.case_id)
        .outerjoin(ClusterCase, ClusterCase.case_id == Case.id)
        .where(
            ClusterCase.case_id.is_(None),
            Case.closed_at.is_(None),
            Case.created_at >= since,
            Case.id.not_in(parents()),
        )
    )
    return [(r[0], r[1], r[2]) for r in db.session.execute(query)]


def sweep(now: datetime | None = None) -> list[Cluster]:
    """Link unlinked complaints to live clusters and propose new ones; returns the new."""
    now = now or utcnow()
    size, window = settings()
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for entry_id, category_id, case_id in _unlinked(now - window):
        groups[(entry_id, category_id)].append(case_id)
    live = {
        (c.entry_id, c.category_id): c
        for c in db.session.scalars(select(Cluster).where(Cluster.state.in_(LIVE)))
    }
    proposed: list[tuple[Cluster, int]] = []
    for (entry_id, category_id), case_ids in sorted(groups.items()):
        cluster = live.get((entry_id, category_id))
        if cluster is None:
            if len(case_ids) < size:
                continue
            cluster = Cluster(entry_id=entry_id, category_id=category_id, created_at=now)
            db.session.add(cluster)
            db.session.flush()
            proposed.append((cluster, len(case_ids)))
        db.session.add_all(
            ClusterCase(case_id=c, cluster_id=cluster.id, linked_at=now) for c in case_ids
        )
    db.session.flush()
    for cluster, count in proposed:
        emit(
            StaffAlert(
                key=f"cluster:{cluster.id}",
                template="systemic_proposed",
                roles=("supervisor", "oversight"),
                province_code=cluster.entry.province_code,
                context={"cluster": cluster.id, "count": count, "code": cluster.entry.code},
            )
        )
    return [cluster for cluster, _count in proposed]


def linked_count(cluster: Cluster) -> int:
    query = select(func.count()).where(ClusterCase.cluster_id == cluster.id)
    return int(db.session.scalar(query) or 0)


@jobs.job(queue="default")
def cluster_sweep_job() -> int:
    return len(sweep())
