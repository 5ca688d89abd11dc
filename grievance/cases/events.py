"""The append-only, hash-chained case timeline."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, select

from grievance.cases.models import Case, CaseEvent
from grievance.extensions import db, insert_many
from grievance.types import utcnow

GENESIS = "0" * 64
_TAILS = "samleng.events.tails"  # session.info: case id -> hash of its chain's last event
_HELD = "samleng.events.held"  # session.info: events appended in a `known_tails` block


def canonical(event: CaseEvent) -> bytes:
    """The bytes an event's hash covers: every field that carries meaning, in a fixed form."""
    created: datetime = event.created_at
    body = {
        "case_id": event.case_id,
        "seq": event.seq,
        "kind": event.kind,
        "actor_id": event.actor_id,
        "actor_role": event.actor_role,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "public": bool(event.public),
        "data": event.data or {},
        "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def event_hash(event: CaseEvent) -> str:
    return hashlib.sha256(event.prev_hash.encode() + canonical(event)).hexdigest()


def record(
    case: Case,
    kind: str,
    *,
    actor_id: int | None,
    actor_role: str,
    from_state: str | None = None,
    to_state: str | None = None,
    public: bool = False,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> CaseEvent:
    """Append one event to a case's chain. The caller's transaction makes it durable."""
    tails: dict[int, str] | None = db.session.info.get(_TAILS)
    prev_hash = GENESIS
    if tails is not None and case.id in tails:
        prev_hash = tails[case.id]
    elif case.event_count:
        prev = select(CaseEvent.hash).where(
            CaseEvent.case_id == case.id, CaseEvent.seq == case.event_count
        )
        prev_hash = db.session.scalar(prev) or GENESIS
    case.event_count = (case.event_count or 0) + 1
    if case.id is None:
        db.session.flush()  # a new case's INSERT already carries its first event count
    event = CaseEvent(
        case_id=case.id,
        seq=case.event_count,
        kind=kind,
        actor_id=actor_id,
        actor_role=actor_role,
        from_state=from_state,
        to_state=to_state,
        public=public,
        data=data or {},
        created_at=(at or utcnow()).astimezone(UTC),
        prev_hash=prev_hash,
    )
    event.hash = event_hash(event)
    if tails is not None:
        tails[case.id] = event.hash
        db.session.info[_HELD].append(event)
    else:
        db.session.add(event)
    return event


@contextmanager
def known_tails(case_ids: Sequence[int]) -> Iterator[dict[int, str]]:
    """Read the last hash of these cases' chains in one SELECT, so that appending to them
    (a batch of cases, several events each) reads nothing per event; the events appended
    inside are written together, in one statement, when the block ends (not if it
    raises). The caller holds the cases' rows locked, so nobody else appends meanwhile."""
    found: dict[int, str] = {}
    if case_ids:
        last = and_(CaseEvent.case_id == Case.id, CaseEvent.seq == Case.event_count)
        query = select(CaseEvent.case_id, CaseEvent.hash).join(Case, last)
        found = dict(db.session.execute(query.where(Case.id.in_(case_ids))).tuples().all())
    held: list[CaseEvent] = []
    db.session.info[_TAILS], db.session.info[_HELD] = found, held
    try:
        yield found
    finally:
        db.session.info.pop(_TAILS, None)
        db.session.info.pop(_HELD, None)
    insert_many(CaseEvent.__table__, [_row(event) for event in held])


_COLUMNS: tuple[str, ...] = ("case_id", "seq", "kind", "actor_id", "actor_role", "from_state")
_COLUMNS += ("to_state", "public", "data", "created_at", "prev_hash", "hash")


def _row(event: CaseEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in _COLUMNS}


def first_broken(events: Iterable[CaseEvent]) -> CaseEvent | None:
    """The first event whose link or content does not match the chain, if any."""
    expected_prev, expected_seq = GENESIS, 1
    for event in events:
        if event.seq != expected_seq or event.prev_hash != expected_prev:
            return event
        if event_hash(event) != event.hash:
            return event
        expected_prev, expected_seq = event.hash, expected_seq + 1
    return None
