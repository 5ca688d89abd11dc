"""Which registry entry a case concerns: suggested at filing, confirmed by an officer.

`link_filed` runs in the filing transaction (intake's pipeline calls it): the typed name is
matched, a sure match is kept as a suggestion, and if a systemic case about the same
entry and category is live the complaint joins it at once, without a new alert.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from grievance.cases import events
from grievance.cases.models import Case
from grievance.errors import DomainError
from grievance.extensions import db
from grievance.systemic import clusters
from grievance.systemic.matching import Candidate, best, candidates
from grievance.systemic.models import ENTITY_KINDS, CaseEntity, RegistryEntry
from grievance.types import utcnow


def entity_of(case: Case) -> CaseEntity | None:
    return db.session.get(CaseEntity, case.id)


def kinds_for(case: Case) -> tuple[str, ...]:
    """The registries a case's named employer or facility is looked up in: its own kind,
    or both when the filer did not say which (the public form does not ask)."""
    if not case.concerned_name or case.concerned_type == "nssf":
        return ()
    if case.concerned_type in ENTITY_KINDS:
        return (case.concerned_type,)
    return tuple(ENTITY_KINDS)


def link_filed(case: Case, at: datetime | None = None) -> CaseEntity | None:
    """Match the name the filer typed; keep a sure match as a suggestion."""
    found = [c for kind in kinds_for(case) if (c := best(case.concerned_name or "", kind))]
    found.sort(key=lambda c: -c.score)
    if not found or (len(found) > 1 and found[1].score == found[0].score):
        return None
    sure = found[0]
    link = CaseEntity(
        case_id=case.id, entry_id=sure.entry_id, score=sure.score, updated_at=at or utcnow()
    )
    db.session.add(link)
    db.session.flush()
    clusters.join_live(case, sure.entry_id, at)
    return link


def suggestions(case: Case) -> list[tuple[RegistryEntry, int]]:
    """Entries the officer may pick for the case, best first."""
    found: list[Candidate] = [
        c for kind in kinds_for(case) for c in candidates(case.concerned_name or "", kind)
    ]
    found.sort(key=lambda c: -c.score)
    entries = {
        e.id: e
        for e in db.session.scalars(
            select(RegistryEntry).where(RegistryEntry.id.in_([c.entry_id for c in found]))
        )
    }
    return [(entries[c.entry_id], c.score) for c in found if c.entry_id in entries]


def confirm(case: Case, entry_id: int | None, actor_id: int, actor_role: str) -> CaseEntity | None:
    """The officer says which entry the case concerns (or none of them)."""
    at = utcnow()
    link = entity_of(case)
    if entry_id is None:
        if link is not None:
            db.session.delete(link)
            events.record(
                case,
                "entity",
                actor_id=actor_id,
                actor_role=actor_role,
                data={"action": "removed"},
                at=at,
            )
            db.session.flush()
        return None
    entry = db.session.get(RegistryEntry, entry_id)
    if entry is None or not entry.active:
        raise DomainError("unknown_entry")
    if link is None:
        link = CaseEntity(case_id=case.id, entry_id=entry.id, score=100)
        db.session.add(link)
    link.entry_id, link.confirmed, link.confirmed_by_id, link.updated_at = (
        entry.id,
        True,
        actor_id,
        at,
    )
    events.record(
        case,
        "entity",
        actor_id=actor_id,
        actor_role=actor_role,
        data={"action": "confirmed", "code": entry.code},
        at=at,
    )
    db.session.flush()
    clusters.join_live(case, entry.id, at)
    return link


def did_you_mean(case: Case, lang: str) -> str | None:
    """For the filer's own success page only: the one registry name her typed name was
    taken for (or the closest candidate), so she can tell the hotline if it is wrong. One
    name per filing, never a list: the registry is not shown to anyone in bulk."""
    link = entity_of(case)
    if link is not None:
        return link.entry.name(lang)
    found = suggestions(case)
    return found[0][0].name(lang) if found else None
