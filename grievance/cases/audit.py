"""Checking the hash chains of case timelines."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select

from grievance.cases.events import first_broken
from grievance.cases.models import Case, CaseEvent
from grievance.extensions import db


@dataclass(frozen=True)
class BrokenLink:
    reference: str
    seq: int
    event_id: int


def verify(reference: str | None = None, batch: int = 500) -> Iterator[BrokenLink]:
    """Yield the first broken link of every case whose chain does not verify."""
    query = select(Case.id, Case.reference).order_by(Case.id)
    if reference is not None:
        query = query.where(Case.reference == reference)
    cases: list[tuple[int, str]] = [(row[0], row[1]) for row in db.session.execute(query)]
    for start in range(0, len(cases), batch):
        chunk = dict(cases[start : start + batch])
        rows = db.session.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id.in_(chunk))
            .order_by(CaseEvent.case_id, CaseEvent.seq)
        )
        by_case: dict[int, list[CaseEvent]] = {}
        for event in rows:
            by_case.setdefault(event.case_id, []).append(event)
        for case_id, ref in chunk.items():
            broken = first_broken(by_case.get(case_id, []))
            if broken is not None:
                yield BrokenLink(reference=ref, seq=broken.seq, event_id=broken.id)
        db.session.expunge_all()
