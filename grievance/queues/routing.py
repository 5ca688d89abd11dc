"""Routing: which queue a new case goes to.

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

from typing import cast

from grievance import reference
from grievance.auth.models import User
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
