"""Routing: which queue a case is in. This module owns `Case.queue_id`: a new case's
queue (`route`, set by the filing service before the first INSERT) and every later move
(`move`, which writes the timeline event that says so).

The rules, in order:
1. Candidates are the active province-level (level 0) queues, by position then id.
2. A queue matches when each of its rule fields that is set (province, category, kind,
   confidentiality) equals the case's value.
3. Restricted cases go only to restricted queues, and every restricted queue takes them
   whatever their category (its category rule says which other cases it catches too, e.g.
   sexual harassment); other queues never receive a restricted case.
4. When the complainant asked for a woman officer, the first matching queue with an active
   woman officer among its members wins; if none has one, the first match (claim-next and
   auto-assignment still give the case only to a woman officer).
5. No match: the national grievance unit ("national", else any active level-1 queue).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import cast

from sqlalchemy import select

from grievance import reference
from grievance.auth.models import User
from grievance.cases import events
from grievance.cases.models import Case
from grievance.extensions import db
from grievance.queues.models import Queue
from grievance.reference import QueueRule

NATIONAL = "national"


def matches(queue: QueueRule, case: Case) -> bool:
    if case.confidentiality == "restricted":
        some = [(queue.province_code, case.province_code), (queue.kind, case.kind)]
        return queue.restricted and all(rule is None or rule == value for rule, value in some)
    rules: list[tuple[object, object]] = [
        (queue.province_code, case.province_code),
        (queue.category_id, case.category_id),
        (queue.kind, case.kind),
        (queue.confidentiality, case.confidentiality),
    ]
    return all(rule is None or rule == value for rule, value in rules)


def has_woman_member(queue: Queue) -> bool:
    return any(u.active and u.sex == "female" and u.has_role("officer") for u in members_of(queue))


def members_of(queue: Queue) -> list[User]:
    return cast(list[User], queue.members)


def national_queue(queues: tuple[QueueRule, ...]) -> QueueRule | None:
    national = [q for q in queues if q.level == 1]
    named = [q for q in national if q.code == NATIONAL]
    return next(iter(named or national), None)


def route(case: Case) -> QueueRule | None:
    """The queue a case belongs in, by the rules above (None only if there is no queue)."""
    queues = reference.current().queues  # active, by level, position, id
    matching = [q for q in queues if q.level == 0 and matches(q, case)]
    if case.prefers_woman_officer:
        for rule in matching:
            queue = db.session.get(Queue, rule.id)
            if queue is not None and has_woman_member(queue):
                return rule
    return matching[0] if matching else national_queue(queues)


def move(
    case: Case,
    queue_id: int,
    *,
    reason: str,
    actor_id: int | None = None,
    actor_role: str = "system",
    at: datetime | None = None,
    codes: Mapping[int, str] | None = None,
) -> None:
    """Put the case in another queue and say so on its timeline (staff only: the
    complainant sees no queues). `codes`: every queue's code by id, when the caller
    already read them (a batch of moves); else the two are read here."""
    if case.queue_id == queue_id:
        return
    if codes is None:
        codes = dict(
            db.session.execute(
                select(Queue.id, Queue.code).where(
                    Queue.id.in_([q for q in (case.queue_id, queue_id) if q is not None])
                )
            )
            .tuples()
            .all()
        )
    old = codes.get(case.queue_id) if case.queue_id is not None else None
    data = {"from": old, "to": codes.get(queue_id), "reason": reason}
    case.queue_id = queue_id
    events.record(case, "queue", actor_id=actor_id, actor_role=actor_role, data=data, at=at)
