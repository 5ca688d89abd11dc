"""What the pages about registries, clusters and alerts show, scoped by the viewer.

Cluster views never show who complained: a cluster lists the references and states of the
complaints the viewer may open, and counts the others; no name, phone or narrative."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select

from grievance.auth.models import User
from grievance.cases.models import Case
from grievance.cases.policy import visible_clause
from grievance.extensions import db
from grievance.systemic import clusters, duplicates, links
from grievance.systemic.matching import name_key
from grievance.systemic.models import (
    CaseEntity,
    Cluster,
    ClusterCase,
    RegistryEntry,
    RegistryName,
    SpikeAlert,
)


@dataclass
class ClusterView:
    cluster: Cluster
    visible: list[Case] = field(default_factory=list)  # the viewer may open these
    hidden: int = 0  # linked, but not the viewer's to see
    states: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return len(self.visible) + self.hidden


def cluster_view(cluster: Cluster, viewer: User) -> ClusterView:
    linked = (
        select(Case)
        .join(ClusterCase, ClusterCase.case_id == Case.id)
        .where(ClusterCase.cluster_id == cluster.id)
    )
    view = ClusterView(cluster)
    if viewer.has_role("intake", "officer", "supervisor", "admin"):
        view.visible = list(
            db.session.scalars(linked.where(visible_clause(viewer)).order_by(Case.id))
        )
    states = (
        select(Case.state, func.count())
        .join(ClusterCase, ClusterCase.case_id == Case.id)
        .where(ClusterCase.cluster_id == cluster.id)
        .group_by(Case.state)
    )
    view.states = Counter({state: int(n) for state, n in db.session.execute(states)})
    view.hidden = sum(view.states.values()) - len(view.visible)
    return view


@dataclass
class CasePanel:
    link: CaseEntity | None = None
    suggestions: list[tuple[RegistryEntry, int]] = field(default_factory=list)
    hints: list[duplicates.Hint] = field(default_factory=list)
    cluster: ClusterView | None = None  # the cluster the case is in
    parent_of: ClusterView | None = None  # the case is this cluster's systemic case


def case_panel(case: Case, viewer: User) -> CasePanel:
    """Everything the case page shows about the entry, duplicates and the cluster."""
    panel = CasePanel(link=links.entity_of(case))
    if panel.link is None or not panel.link.confirmed:
        panel.suggestions = links.suggestions(case)
    parent = clusters.parent_cluster(case)
    if parent is not None:
        panel.parent_of = cluster_view(parent, viewer)
        return panel
    panel.hints = duplicates.hints(case, viewer)
    cluster = clusters.cluster_of(case)
    if cluster is not None:
        panel.cluster = ClusterView(cluster)
        if cluster.parent is not None and visible(cluster.parent, viewer):
            panel.cluster.visible = [cluster.parent]
    return panel


def visible(case: Case, viewer: User) -> bool:
    query = select(Case.id).where(Case.id == case.id, visible_clause(viewer))
    return db.session.scalar(query) is not None


def cluster_list(state: str | None = None, limit: int = 200) -> list[tuple[Cluster, int]]:
    """Clusters, newest first, with how many complaints each links (counts only)."""
    count = (
        select(func.count())
        .where(ClusterCase.cluster_id == Cluster.id)
        .correlate(Cluster)
        .scalar_subquery()
    )
    query = select(Cluster, count).order_by(Cluster.created_at.desc(), Cluster.id.desc())
    if state:
        query = query.where(Cluster.state == state)
    return [(c, int(n)) for c, n in db.session.execute(query.limit(limit))]


def alerts(limit: int = 200) -> list[SpikeAlert]:
    query = select(SpikeAlert).order_by(SpikeAlert.week.desc(), SpikeAlert.id.desc())
    return list(db.session.scalars(query.limit(limit)))


def series_history(alert: SpikeAlert) -> list[SpikeAlert]:
    query = select(SpikeAlert).where(
        SpikeAlert.series == alert.series, SpikeAlert.series_key == alert.series_key
    )
    return list(db.session.scalars(query.order_by(SpikeAlert.week.desc())))


def find_entries(text: str, kind: str | None = None, limit: int = 50) -> list[RegistryEntry]:
    """Registry entries by code or by a name's key (the start of it), for admins."""
    query = select(RegistryEntry).order_by(RegistryEntry.kind, RegistryEntry.code)
    if kind:
        query = query.where(RegistryEntry.kind == kind)
    key = name_key(text or "")
    if key:
        names = select(RegistryName.entry_id).where(
            RegistryName.key.startswith(key, autoescape=True)
        )
        query = query.where(or_(RegistryEntry.code == text.strip(), RegistryEntry.id.in_(names)))
    return list(db.session.scalars(query.limit(limit)))


def entry_by_code(kinds: tuple[str, ...], code: str) -> RegistryEntry | None:
    query = select(RegistryEntry).where(
        RegistryEntry.kind.in_(kinds), RegistryEntry.code == code.strip()
    )
    return db.session.scalar(query.limit(1))
